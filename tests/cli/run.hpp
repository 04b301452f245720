// Runs the mixq binary the way a user does and captures what it printed.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace mixq::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `args` is appended to the binary's path as-is (the caller quotes); runs in the source root.
inline CliResult run_cli(const std::string& args) {
  const auto err_path = std::filesystem::temp_directory_path() /
                        ("mixq_cli_err_" + std::to_string(::getpid()) + ".txt");
  const std::string command = std::string("cd '") + MIXQ_SOURCE_DIR + "' && '" + MIXQ_CLI_PATH +
                              "' " + args + " 2>'" + err_path.string() + "'";
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream ss;
  ss << err.rdbuf();
  result.err = ss.str();
  std::filesystem::remove(err_path);
  return result;
}

// Writes `text` to a file in the temporary folder whose name carries this process's id, so
// that test processes running side by side do not share it.
inline std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path;
}

}  // namespace mixq::test
