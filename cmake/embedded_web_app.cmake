# Compiles the web playground (web/index.html, web/ui/*) into the binary: genq serves it
# at GET / and GET /ui/{name} (src/genq/api/web_app_routes.cpp, docs/playground.md).
# pusher-js's browser build comes from web/node_modules (npm ci in web/, pinned by
# web/package-lock.json); without it the page is built without it and follows jobs by
# polling. The globs are re-checked at every build, so adding a page file or installing
# pusher-js re-runs this step.
include(${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake)
set(GENQ_WEB_DIR ${PROJECT_SOURCE_DIR}/web)
file(GLOB GENQ_WEB_PAGE_FILES CONFIGURE_DEPENDS ${GENQ_WEB_DIR}/index.html
  ${GENQ_WEB_DIR}/ui/*.js ${GENQ_WEB_DIR}/ui/*.css ${GENQ_WEB_DIR}/ui/*.svg)
file(GLOB GENQ_WEB_PUSHER CONFIGURE_DEPENDS ${GENQ_WEB_DIR}/node_modules/pusher-js/dist/web/pusher.min.j[s])
list(SORT GENQ_WEB_PAGE_FILES)

set(GENQ_WEB_SOURCES "")
set(GENQ_WEB_DECLARATIONS "")
set(GENQ_WEB_ENTRIES "")
set(index 0)
foreach(source IN LISTS GENQ_WEB_PAGE_FILES GENQ_WEB_PUSHER)
  # The URL path: index.html is "/", web/ui/x.js is "/ui/x.js", pusher-js is "/ui/pusher.min.js".
  file(RELATIVE_PATH relative ${GENQ_WEB_DIR} ${source})
  if(relative STREQUAL "index.html")
    set(url "/")
  elseif(source IN_LIST GENQ_WEB_PUSHER)
    set(url "/ui/pusher.min.js")
  else()
    set(url "/${relative}")
  endif()
  set(function embedded_web_asset_${index})
  set(output ${CMAKE_BINARY_DIR}/generated/web/${function}.cpp)
  genq_embed_file(${source} ${function} genq::api ${output})
  list(APPEND GENQ_WEB_SOURCES ${output})
  string(APPEND GENQ_WEB_DECLARATIONS "std::string_view ${function}();\n")
  string(APPEND GENQ_WEB_ENTRIES "      {\"${url}\", ${function}},\n")
  math(EXPR index "${index} + 1")
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/embedded_web_assets.cpp.in
  ${CMAKE_BINARY_DIR}/generated/web/embedded_web_assets.cpp @ONLY)
list(APPEND GENQ_WEB_SOURCES ${CMAKE_BINARY_DIR}/generated/web/embedded_web_assets.cpp)
