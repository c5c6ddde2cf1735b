// Pricing a validated request (the price-calculation twin of every task, SPEC §3):
// base + per_step*steps + per_megapixel*w*h/1e6 + per_second*duration
//      + per_1k_chars*characters/1000, rounded to 6 decimals.
#include <cmath>
#include <initializer_list>
#include <optional>

#include "genq/catalog/catalog.hpp"
#include "genq/catalog/param_check.hpp"

namespace genq::catalog {
namespace json = boost::json;

namespace {

// The first of `keys` that holds a number; tasks name the same quantity
// differently (steps / inference_steps for music).
std::optional<double> first_number(const json::object& params, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (const json::value* v = params.if_contains(key); v != nullptr && v->is_number()) {
      return v->to_number<double>();
    }
  }
  return std::nullopt;
}

// Seconds of output (or of input, for transcription): `duration` or deAPI's
// price-only `duration_seconds` where given, else frames / fps (video).
double duration_seconds(const json::object& params) {
  if (auto d = first_number(params, {"duration", "duration_seconds"})) {
    return *d;
  }
  auto frames = first_number(params, {"frames"});
  auto fps = first_number(params, {"fps"});
  if (frames && fps && *fps > 0) {
    return *frames / *fps;
  }
  return 0;
}

// Characters of the text the model reads (TTS text, prompts, music captions,
// embedding input), or deAPI's price-only `count_text` in its stead.
double text_characters(const json::object& params) {
  for (std::string_view key : {"text", "prompt", "caption", "input"}) {
    if (const json::value* v = params.if_contains(key); v != nullptr && v->is_string()) {
      return static_cast<double>(detail::utf8_length(v->get_string()));
    }
    if (const json::value* v = params.if_contains(key); v != nullptr && v->is_array()) {  // a batch
      double total = 0;
      for (const json::value& item : v->get_array()) {
        if (item.is_string()) total += static_cast<double>(detail::utf8_length(item.get_string()));
      }
      return total;
    }
  }
  return first_number(params, {"count_text"}).value_or(0);
}

}  // namespace

double Catalog::price(const ValidatedRequest& request) const {
  if (request.model == nullptr) {
    return 0;
  }
  const Pricing& rate = request.model->pricing;
  // Price-only fields fill in what the request does not carry; parameters win.
  json::object p = request.price_inputs;
  for (const auto& item : request.params) {
    p[item.key()] = item.value();
  }
  const double steps = first_number(p, {"steps", "inference_steps"}).value_or(0);
  const double megapixels =
      first_number(p, {"width"}).value_or(0) * first_number(p, {"height"}).value_or(0) / 1e6;
  const double total = rate.base + rate.per_step * steps + rate.per_megapixel * megapixels +
                       rate.per_second * duration_seconds(p) +
                       rate.per_1k_chars * text_characters(p) / 1000.0;
  return std::round(total * 1e6) / 1e6;
}

}  // namespace genq::catalog
