# Compiles docs/openapi.json and the page that renders it into the binary: genq serves
# them at GET /openapi.json and GET /docs/api (src/genq/api/api_docs_routes.cpp).
include(${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake)
genq_embed_file(${PROJECT_SOURCE_DIR}/docs/openapi.json embedded_openapi_document genq::api
  ${CMAKE_BINARY_DIR}/generated/embedded_openapi.cpp)
genq_embed_file(${PROJECT_SOURCE_DIR}/docs/api-reference.html embedded_api_reference_page genq::api
  ${CMAKE_BINARY_DIR}/generated/embedded_api_reference.cpp)
