#include "test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace packtwin::testing {
TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "packtwin-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult Run(const std::vector<std::string>& argv) {
  TempDir scratch;
  const std::string out_path = scratch.File("stdout");
  const std::string err_path = scratch.File("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  CommandResult result;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    result.err = "cannot start " + argv[0];
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

Child::Child(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, scratch_.File("stdout").c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, scratch_.File("stderr").c_str(), O_WRONLY | O_CREAT, 0644);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  if (posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::vector<std::vector<std::string>> SplitTable(const std::string& text, char separator) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, separator)) cells.push_back(cell);
    if (!line.empty() && line.back() == separator) cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

std::string Child::OutputSoFar() const { return ReadFile(scratch_.File("stdout")); }

void Child::Signal(int signal_number) {
  if (pid_ > 0 && !reaped_) kill(pid_, signal_number);
}

CommandResult Child::Wait(int timeout_ms) {
  CommandResult result;
  int status = 0;
  for (int waited = 0; pid_ > 0 && !reaped_; waited += 10) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      break;
    }
    if (waited >= timeout_ms) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      reaped_ = true;
      result.err = "[timed out and killed]\n";
      break;
    }
    usleep(10'000);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(scratch_.File("stdout"));
  result.err += ReadFile(scratch_.File("stderr"));
  return result;
}

CommandResult Packtwin(const std::vector<std::string>& args) {
  std::vector<std::string> argv{PacktwinBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

std::vector<nlohmann::json> ExportedEvents(const std::string& db, const std::string& kind) {
  auto exported = Packtwin({"export", db, "--format", "jsonl"});
  std::vector<nlohmann::json> events;
  std::istringstream in(exported.out);
  std::string line;
  while (std::getline(in, line)) {
    auto event = nlohmann::json::parse(line);
    if (kind.empty() || event["kind"] == kind) events.push_back(std::move(event));
  }
  return events;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::string PacktwinBinary() { return PACKTWIN_TEST_BINARY; }
std::string SourceDir() { return PACKTWIN_TEST_SOURCE_DIR; }
std::string SystemPython() { return "/usr/bin/python3"; }

bool WaitForFile(const std::string& path, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms && !FileExists(path); waited += 20) usleep(20'000);
  return FileExists(path);
}

uint16_t FreeTcpPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace packtwin::testing
