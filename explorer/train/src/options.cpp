#include "mixq/train/options.hpp"

#include "mixq/common/error.hpp"

namespace mixq::train {

TrainConfig config_from(const RunOptions& o) {
  TrainConfig cfg;
  cfg.workload = o.workload;
  cfg.batch = o.batch;
  cfg.micro_batch = o.micro_batch;
  cfg.seed = o.seed;
  cfg.threads = o.threads;
  cfg.data_dir = o.data;
  cfg.init_model = o.init;
  // A run from a trained model skips the float phase unless its epochs are given.
  const int fp_epochs = o.fp_epochs ? *o.fp_epochs : (o.init.empty() ? 15 : 0);
  cfg.train_subset = o.train_subset;
  cfg.test_subset = o.test_subset;
  cfg.optimizer = o.optimizer == "sgd" ? OptimizerKind::kSgd : OptimizerKind::kAdam;
  cfg.quant.bits = o.bits.empty() ? workloads::Bits{4, 4}
                                  : workloads::parse_bits(o.bits, SourceLocation{o.bits_key, 0, 0, ""});
  if (o.first_last == "same") {
    cfg.quant.first_last.reset();
  } else {
    cfg.quant.first_last = workloads::parse_bits(o.first_last, SourceLocation{o.first_last_key, 0, 0, ""});
  }
  cfg.quant.min_bits = o.min_bits;
  cfg.quant.max_bits = o.max_bits;
  cfg.quant.channel_group_size = o.group_size;
  cfg.quant.granularity = o.granularity == "channel"         ? workloads::Granularity::kChannel
                          : o.granularity == "channel_group" ? workloads::Granularity::kChannelGroup
                                                             : workloads::Granularity::kLayer;
  (void)parse_cost_kind(o.cost, cfg.cost.kind);
  cfg.cost.beta = o.beta;
  cfg.cost.arch = o.arch;
  cfg.cost.arch_overrides = o.overrides;
  const int main_epochs = o.epochs.value_or(-1);
  if (o.learn_bits) {
    cfg.phases = {{PhaseKind::kFloat, fp_epochs, o.lr},
                  {PhaseKind::kFixedBits, o.qat_epochs, o.qat_lr},
                  {PhaseKind::kLearnBits, main_epochs >= 0 ? main_epochs : o.learn_epochs, o.qat_lr},
                  {PhaseKind::kFrozen, o.finetune_epochs, o.finetune_lr}};
  } else if (!o.bits.empty()) {
    cfg.phases = {{PhaseKind::kFloat, fp_epochs, o.lr},
                  {PhaseKind::kFixedBits, main_epochs >= 0 ? main_epochs : o.qat_epochs, o.qat_lr}};
  } else {
    cfg.phases = {{PhaseKind::kFloat, main_epochs >= 0 ? main_epochs : fp_epochs, o.lr}};
  }
  std::vector<Phase> kept;
  for (const auto& p : cfg.phases) {
    if (p.epochs > 0) kept.push_back(p);
  }
  if (!kept.empty()) cfg.phases = kept;
  return cfg;
}

}  // namespace mixq::train
