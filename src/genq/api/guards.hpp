#pragma once
// Route wrappers that authenticate before the handler runs (SPEC §1): a missing or
// wrong credential answers 401 {"message":"Unauthenticated."}, a disabled client's key
// 403 {"message":"Your account has been suspended."}, and the handler never sees the
// request.
#include <functional>

#include "genq/http/request.hpp"
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

using ClientHandler = std::function<void(http::Request&, http::Reply, const Client&)>;
using WorkerHandler = std::function<void(http::Request&, http::Reply, const WorkerToken&)>;

http::Handler client_only(Services& services, ClientHandler handler);
http::Handler worker_only(Services& services, WorkerHandler handler);
http::Handler admin_only(Services& services, http::Handler handler);

// The shape of the client API's handlers: a plain function given the services and the
// authenticated client. client_route wraps one in client_only.
using ClientRoute = void (*)(Services&, http::Request&, http::Reply, const Client&);
http::Handler client_route(Services& services, ClientRoute route);
// The same for the admin API: a plain function given the services, behind admin_only.
using AdminRoute = void (*)(Services&, http::Request&, http::Reply);
http::Handler admin_route(Services& services, AdminRoute route);

// The same checks from the headers alone, as Route::admit, so that a request without
// valid credentials is answered before any body byte is read (docs/security.md). What
// they establish goes to Request::principal, and the wrappers above take it from there.
http::Admit client_admission(Services& services);
http::Admit worker_admission(Services& services);
http::Admit admin_admission(Services& services);

// `route` with its credential checked at the header stage.
http::Route for_clients(Services& services, http::Route route);
http::Route for_workers(Services& services, http::Route route);
http::Route for_admins(Services& services, http::Route route);

}  // namespace genq::api
