#include "mixq/common/paths.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "mixq/common/error.hpp"

namespace mixq {
namespace fs = std::filesystem;

fs::path config_dir() {
  if (const char* env = std::getenv("MIXQ_CONFIG_DIR"); env != nullptr && *env != '\0') {
    return fs::path(env);
  }
  std::error_code ec;
  const fs::path source(MIXQ_SOURCE_CONFIG_DIR);
  if (fs::is_directory(source, ec)) return source;
  // A program linked against an installed mixq finds the presets under the install prefix.
  const fs::path installed_prefix(MIXQ_INSTALLED_CONFIG_DIR);
  if (fs::is_directory(installed_prefix, ec)) return installed_prefix;
  // A relocated install: <prefix>/bin/mixq next to <prefix>/share/mixq/configs.
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "mixq" / "configs";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return source;
}

std::vector<std::string> list_presets(const std::string& kind) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config_dir() / kind, ec)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path resolve_preset(const std::string& kind, const std::string& name_or_file) {
  std::error_code ec;
  const fs::path as_path(name_or_file);
  const bool looks_like_file = name_or_file.find('/') != std::string::npos ||
                               as_path.extension() == ".yaml" || as_path.extension() == ".yml";
  if (fs::is_regular_file(as_path, ec)) return as_path;
  if (looks_like_file) {
    throw InputError(InputError::Kind::kNotFound, SourceLocation{name_or_file, 0, 0, ""},
                     "no such file");
  }
  const fs::path preset = config_dir() / kind / (name_or_file + ".yaml");
  if (fs::is_regular_file(preset, ec)) return preset;
  std::string known;
  for (const auto& name : list_presets(kind)) known += (known.empty() ? "" : ", ") + name;
  throw InputError(InputError::Kind::kNotFound, SourceLocation{name_or_file, 0, 0, ""},
                   "no " + kind + " preset or file of that name (presets: " +
                       (known.empty() ? std::string("none") : known) + ")");
}

}  // namespace mixq
