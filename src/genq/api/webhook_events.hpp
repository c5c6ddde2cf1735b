#pragma once
// A list of webhook events as clients give it (docs/webhooks.md, "Event filters"): the
// account webhook's `events` and a submit's `webhook_events`. Each entry one of
// job.processing, job.completed, job.failed.
#include <boost/json.hpp>

#include <expected>
#include <string>
#include <vector>

namespace genq::api {

// Every event genq sends, in the order a job reports them.
const std::vector<std::string>& all_webhook_events();

// The events of `value`: a JSON array of event names, or, from a form (`from_form`), a
// string of them separated by commas. The problem in Laravel style, naming `field`,
// when it is anything else or names an unknown event.
std::expected<std::vector<std::string>, std::string> read_webhook_events(const boost::json::value& value,
                                                                         const std::string& field, bool from_form);

}  // namespace genq::api
