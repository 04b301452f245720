// Search strategies behind one ask/tell interface: the runner asks for a batch (propose),
// evaluates it, and tells the results back (report), in the order proposed. A strategy is
// deterministic for its seed: the same reports give the same proposals, which is what lets
// the runner replay a journal on --resume and check every replayed point.
//
// Each strategy is one file (strategy_NAME.cpp) and one line in
// register_builtin_strategies(); registration is explicit (static initializers in a static
// library would be dropped by the linker).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mixq/common/yaml.hpp"
#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/explorer/space.hpp"

namespace mixq::explorer {

// What a strategy may read: the space, the objectives' senses, the seed and budget, and the
// proxy's per-layer noise terms (greedy and ILP need a separable sensitivity model; the
// proxy's is used even when the accuracy objective comes from elsewhere).
class TrainedBase;  // mixq/explorer/training_accuracy.hpp

struct SearchContext {
  const Space* space = nullptr;
  std::vector<ObjectiveKind> objectives;
  const ProxyAccuracy* sensitivity = nullptr;
  std::uint64_t seed = 1;
  std::int64_t budget = 0;
  // The float model and data of the ptq/qat accuracy sources, built after the strategy (so
  // that a bad strategy is rejected before any training); null for other sources.
  std::function<const TrainedBase*()> trained;
  // The sweep's training settings (the qat strategy's fine-tunes use its subsets).
  const SweepSpec* spec = nullptr;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // At most `max_points` genomes to evaluate next (max_points ≥ 1); empty when the strategy
  // has nothing left to propose. Genomes must be valid for the space.
  [[nodiscard]] virtual std::vector<Genome> propose(std::size_t max_points) = 0;
  // The evaluations of the last proposed batch, in order.
  virtual void report(std::span<const Evaluation> results) = 0;
};

using StrategyFactory =
    std::function<std::unique_ptr<Strategy>(const yaml::Node& params, const SearchContext& ctx)>;

struct StrategyInfo {
  std::string name;
  std::string description;
  std::vector<std::string> params;  // keys allowed in `strategy:` besides name and budget
  StrategyFactory make;
};

// Idempotent; thread-safe.
void register_builtin_strategies();
void register_strategy(StrategyInfo info);
// nullptr when unknown.
[[nodiscard]] const StrategyInfo* find_strategy(const std::string& name);
[[nodiscard]] std::vector<std::string> strategy_names();

// Builds the sweep's strategy; throws InputError (located in the sweep) for bad parameters.
[[nodiscard]] std::unique_ptr<Strategy> make_strategy(const yaml::Node& params,
                                                      const SearchContext& ctx);

// Factories, one per file.
[[nodiscard]] StrategyInfo exhaustive_strategy();
[[nodiscard]] StrategyInfo random_strategy();
[[nodiscard]] StrategyInfo nsga2_strategy();
[[nodiscard]] StrategyInfo greedy_strategy();
[[nodiscard]] StrategyInfo ilp_strategy();
[[nodiscard]] StrategyInfo qat_strategy();
[[nodiscard]] StrategyInfo rl_strategy();
[[nodiscard]] StrategyInfo uniform_strategy();

// The rl strategy's budget enforcement (strategy_rl.cpp), for tests: `genome` lowered in HAQ's
// order until its cost fits; `cost` and `budget` (natural units) receive the final cost and the
// budget when not null. `params` is an rl `strategy:` map.
[[nodiscard]] Genome rl_enforce_budget(const yaml::Node& params, const SearchContext& ctx, Genome genome,
                                       double* cost = nullptr, double* budget = nullptr);

}  // namespace mixq::explorer
