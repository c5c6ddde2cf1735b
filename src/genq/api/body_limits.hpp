#pragma once
// How large a submit body may be, decided from the header alone (before any byte of
// it is read): the files its task takes, each at its kind's catalog limit, plus room
// for the other fields. Over it the HTTP layer answers 413.
#include <cstddef>
#include <functional>
#include <string_view>

#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// POST /api/v1/client/{task} and its price twin: multipart with the task's files.
// An unknown task gets the plain JSON limit (its answer is a 404 anyway).
std::size_t submit_body_limit(const Services& services, std::string_view task);

// POST /api/v1/generateTask/{model}: files come base64-encoded inside JSON, for any
// task the model serves.
std::size_t generate_task_body_limit(const Services& services, std::string_view model);

// A submit route that takes files: `limit` decides its body limit from the request
// (http::Route::body_limit_for), and a multipart body is spooled to a file instead of
// held in memory (http::Route::spool_multipart).
http::Route taking_files(http::Route route, std::function<std::size_t(const http::Request&)> limit);

}  // namespace genq::api
