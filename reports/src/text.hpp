// Internal: the escaping and formatting every report writer shares (HTML text, gnuplot and
// shell string literals, short numbers) and the one way gnuplot is run.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace mixq::reports::detail {

[[nodiscard]] inline std::string html(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

[[nodiscard]] inline std::string fmt(double v, const char* format = "%.4g") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// `s` in single quotes, each quote inside written as `escaped`: "''" for gnuplot, "'\''" for
// the shell.
[[nodiscard]] inline std::string single_quoted(const std::string& s, const char* escaped) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out += escaped;
    else out += c;
  }
  return out + "'";
}
[[nodiscard]] inline std::string gnuplot_string(const std::string& s) { return single_quoted(s, "''"); }
[[nodiscard]] inline std::string shell_quote(const std::string& s) { return single_quoted(s, "'\\''"); }

// Runs `gnuplot SCRIPT` in `dir`, its output in dir/gnuplot.log; returns the exit status.
[[nodiscard]] inline int run_gnuplot(const std::filesystem::path& dir, const std::string& gnuplot,
                                     const std::string& script) {
  const std::string cmd = "cd " + shell_quote(dir.string()) + " && " + gnuplot + " " + script +
                          " > gnuplot.log 2>&1";
  return std::system(cmd.c_str());
}

}  // namespace mixq::reports::detail
