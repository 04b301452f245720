#include "mixq/explorer/strategy.hpp"

#include <algorithm>
#include <map>
#include <mutex>

namespace mixq::explorer {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, StrategyInfo> strategies;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_strategy(StrategyInfo info) {
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  r.strategies[info.name] = std::move(info);
}

void register_builtin_strategies() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_strategy(exhaustive_strategy());
    register_strategy(random_strategy());
    register_strategy(nsga2_strategy());
    register_strategy(greedy_strategy());
    register_strategy(ilp_strategy());
    register_strategy(qat_strategy());
    register_strategy(rl_strategy());
    register_strategy(uniform_strategy());
  });
}

const StrategyInfo* find_strategy(const std::string& name) {
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  const auto it = r.strategies.find(name);
  return it == r.strategies.end() ? nullptr : &it->second;
}

std::vector<std::string> strategy_names() {
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, info] : r.strategies) names.push_back(name);
  return names;
}

std::unique_ptr<Strategy> make_strategy(const yaml::Node& params, const SearchContext& ctx) {
  register_builtin_strategies();
  const auto name = params.get<std::string>("name");
  const StrategyInfo* info = find_strategy(name);
  if (info == nullptr) params.at("name").fail(InputError::Kind::kValue, "unknown strategy '" + name + "'");
  return info->make(params, ctx);
}

}  // namespace mixq::explorer
