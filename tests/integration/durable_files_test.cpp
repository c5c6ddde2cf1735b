// Durability of files (docs/reliability.md): an uploaded result is moved into place
// with its bytes synced before the rename and its directory synced after it, before
// the upload is answered. Checked on the real binary's system calls with strace.
#include <sys/stat.h>

#include <csignal>

#include <map>
#include <regex>
#include <sstream>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

// One traced call: its name, its text and its result.
struct TracedCall {
  std::string name;
  std::string args;
  std::string result;
};

// The calls of an `strace -f` log, with each call split by another thread's
// ("<unfinished ...>" then "<... name resumed>") put back together, in the order of
// their ends.
std::vector<TracedCall> traced_calls(const std::string& log) {
  static const std::regex kWhole(R"(^\d+\s+([a-z0-9_]+)\((.*)\)\s+=\s+(-?\d+).*$)");
  static const std::regex kStart(R"(^(\d+)\s+([a-z0-9_]+)\((.*) <unfinished \.\.\.>$)");
  static const std::regex kEnd(R"(^(\d+)\s+<\.\.\. ([a-z0-9_]+) resumed>(.*)\)\s+=\s+(-?\d+).*$)");
  std::vector<TracedCall> calls;
  std::map<std::string, std::string> started;  // pid -> the call's first half
  std::istringstream lines(log);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, kWhole)) {
      calls.push_back({m[1], m[2], m[3]});
    } else if (std::regex_match(line, m, kStart)) {
      started[m[1]] = m[3];
    } else if (std::regex_match(line, m, kEnd)) {
      calls.push_back({m[2], started[m[1]] + std::string(m[3]), m[4]});
      started.erase(m[1]);
    }
  }
  return calls;
}

// The quoted paths in a call's arguments, in order.
std::vector<std::string> quoted_paths(const std::string& args) {
  static const std::regex kQuoted("\"([^\"]*)\"");
  std::vector<std::string> paths;
  for (auto it = std::sregex_iterator(args.begin(), args.end(), kQuoted); it != std::sregex_iterator(); ++it) {
    paths.push_back((*it)[1]);
  }
  return paths;
}

TEST(DurableFiles, AnUploadedResultIsSyncedItsRenameTooBeforeTheUploadIsAnswered) {
  if (run_command({"sh", "-c", "command -v strace"}, 10s).exit_code != 0) {
    GTEST_SKIP() << "strace is not installed (scripts/install-deps.sh installs it)";
  }
  TempDir scratch("genq-strace");
  const auto log = scratch.path() / "trace";
  const auto wrapper = scratch.path() / "genq-traced";
  // Only the server is traced; the admin commands the test runs go straight through.
  write_file(wrapper, "#!/bin/sh\nif [ \"$1\" = serve ]; then exec strace -f -qq -e trace=openat,fsync,fdatasync,"
                      "rename,renameat,renameat2,sendto,sendmsg,writev,write -o '" +
                          log.string() + "' '" GENQ_BINARY "' \"$@\"; fi\nexec '" GENQ_BINARY "' \"$@\"\n");
  ASSERT_EQ(::chmod(wrapper.c_str(), 0755), 0);
  ServerOptions options = server_options();
  options.binary = wrapper.string();
  options.start_timeout = 60s;
  GenqServer server(options);
  const ClientCredentials client = server.create_client();
  RequestFactory requests(catalog_path(), scratch);
  const std::string id = request_id_of(requests.minimal("txt2img").submit(server.client_http(client)));
  const ManualWorker worker(server.http(), server.create_worker_token());
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  const HttpResponse finished = worker.finish(*job);
  ASSERT_EQ(finished.status, 200) << finished.describe();
  // strace ignores SIGTERM while it traces a program it started: stop the server
  // itself (strace's child), then strace ends with it and has written its log.
  const pid_t strace_pid = server.process().pid();
  std::istringstream children(
      read_file("/proc/" + std::to_string(strace_pid) + "/task/" + std::to_string(strace_pid) + "/children"));
  pid_t genq_pid = 0;
  ASSERT_TRUE(children >> genq_pid) << "strace has no child";
  ASSERT_EQ(::kill(genq_pid, SIGTERM), 0);
  ASSERT_TRUE(server.process().wait_exit(20s)) << "strace did not end with the server";

  const std::vector<TracedCall> calls = traced_calls(read_file(log));
  const std::string blobs = (server.data_dir() / "blobs").string() + "/";
  // The rename that put the result in place: from the spool into the blob tree.
  std::size_t rename_at = calls.size();
  std::string source, target;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (!calls[i].name.starts_with("rename") || calls[i].result != "0") continue;
    const auto paths = quoted_paths(calls[i].args);
    if (paths.size() == 2 && paths[1].starts_with(blobs) && paths[1].find(id) != std::string::npos) {
      rename_at = i;
      source = paths[0];
      target = paths[1];
    }
  }
  ASSERT_LT(rename_at, calls.size()) << "no rename of the result into " << blobs << " was traced";

  // fsyncs of descriptors opened on a path, before and after the rename.
  std::map<std::string, std::string> open_files;  // fd -> path
  bool source_synced_before = false;
  bool directory_synced_after = false;
  std::size_t directory_synced_at = 0;
  const std::string directory = std::filesystem::path(target).parent_path().string();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const TracedCall& call = calls[i];
    if (call.name == "openat" && call.result != "-1") {
      const auto paths = quoted_paths(call.args);
      if (!paths.empty()) open_files[call.result] = paths.front();
    } else if ((call.name == "fsync" || call.name == "fdatasync") && call.result == "0") {
      const std::string& path = open_files[call.args];
      if (i < rename_at && path == source) source_synced_before = true;
      if (i > rename_at && path == directory && !directory_synced_after) {
        directory_synced_after = true;
        directory_synced_at = i;
      }
    }
  }
  EXPECT_TRUE(source_synced_before) << "the result's bytes were not fsynced before its rename to " << target;
  ASSERT_TRUE(directory_synced_after) << "the directory " << directory << " was not fsynced after the rename";
  // Nothing was answered 200 between the rename and the directory's fsync: the
  // upload's answer came after its file was durable.
  for (std::size_t i = rename_at + 1; i < directory_synced_at; ++i) {
    const bool answer = calls[i].name.starts_with("write") || calls[i].name.starts_with("send");
    EXPECT_FALSE(answer && calls[i].args.find("HTTP/1.1 200") != std::string::npos)
        << "answered before the directory was synced: " << calls[i].name << "(" << calls[i].args << ")";
  }
}

}  // namespace
}  // namespace genq::testing
