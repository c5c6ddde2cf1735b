# Every library comes from Debian 12 packages (scripts/install-deps.sh installs them).
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS json url)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PNG REQUIRED)
find_package(CURL REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
# libwebp for image results' WebP alternative format (media/image_transcode).
pkg_check_modules(LIBWEBP REQUIRED IMPORTED_TARGET libwebp)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
# libpq for the PostgreSQL store (store/postgres/) and the tests' throwaway cluster.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
