// The `ptq` and `qat` accuracy sources, on mixq::train (docs/training.md) and Fashion-MNIST.
//
//  - ptq: the float model (a `mixq train` model file, or trained here for float_epochs on
//    train_subset images) is quantized to each assignment and evaluated on the first
//    eval_subset test images (train::evaluate_accuracy: batch norm folded, weights quantized per
//    group, activations with MSE-calibrated steps).
//  - qat: the same float model fine-tuned at each assignment's fixed bits (LSQ, qat_epochs on
//    train_subset images, seed of the sweep), then evaluated the same way. Seconds per point:
//    for small networks and small budgets.
//
// Both are deterministic (one thread per point, fixed seeds) and thread-safe: the evaluator
// scores points in parallel, each in its own call.
#pragma once

#include <filesystem>
#include <memory>

#include "mixq/explorer/accuracy.hpp"
#include "mixq/train/dataset.hpp"
#include "mixq/train/model.hpp"

namespace mixq::explorer {

// The float model and the data both sources use, obtained once per sweep.
class TrainedBase {
 public:
  TrainedBase(const Space& space, const SweepSpec& spec);
  ~TrainedBase();
  TrainedBase(const TrainedBase&) = delete;
  TrainedBase& operator=(const TrainedBase&) = delete;

  [[nodiscard]] const train::TrainedModel& model() const noexcept { return model_; }
  [[nodiscard]] const train::Dataset& train_data() const noexcept { return train_; }
  [[nodiscard]] const train::Dataset& test_data() const noexcept { return test_; }
  // A file holding the float model (the training loop's init_model).
  [[nodiscard]] const std::filesystem::path& model_file() const noexcept { return file_; }
  [[nodiscard]] double float_accuracy() const noexcept { return float_accuracy_; }

 private:
  train::TrainedModel model_;
  train::Dataset train_, test_;
  std::filesystem::path file_;
  bool own_file_ = false;
  double float_accuracy_ = 0;
};

class PtqAccuracy final : public AccuracySource {
 public:
  explicit PtqAccuracy(std::shared_ptr<const TrainedBase> base) : base_(std::move(base)) {}
  [[nodiscard]] std::string name() const override { return "ptq"; }
  [[nodiscard]] bool costly() const override { return true; }
  void score(const Space& space, std::span<const ChoiceIndices* const> batch,
             std::span<double> accuracy) const override;

 private:
  std::shared_ptr<const TrainedBase> base_;
};

class QatAccuracy final : public AccuracySource {
 public:
  QatAccuracy(std::shared_ptr<const TrainedBase> base, const SweepSpec& spec);
  [[nodiscard]] std::string name() const override { return "qat"; }
  [[nodiscard]] bool costly() const override { return true; }
  void score(const Space& space, std::span<const ChoiceIndices* const> batch,
             std::span<double> accuracy) const override;

 private:
  std::shared_ptr<const TrainedBase> base_;
  std::string workload_;
  int epochs_;
  double lr_;
  std::uint64_t seed_;
};

}  // namespace mixq::explorer
