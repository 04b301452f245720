#include "mixq/explorer/training_accuracy.hpp"

#include <unistd.h>

#include "mixq/train/train.hpp"

namespace mixq::explorer {

TrainedBase::TrainedBase(const Space& space, const SweepSpec& spec) {
  const auto& t = spec.accuracy.training;
  const auto dir = t.data_dir.empty() ? train::default_fashion_mnist_dir() : std::filesystem::path(t.data_dir);
  train_ = train::load_mnist_format(dir, "train", t.train_subset);
  test_ = train::load_mnist_format(dir, "t10k", t.eval_subset);
  if (!t.model.empty()) {
    model_ = train::load_model(t.model, space.network());
    file_ = t.model;
  } else {
    train::TrainConfig c;
    c.workload = spec.workload;
    c.phases = {{train::PhaseKind::kFloat, t.float_epochs, 1e-3}};
    c.seed = spec.seed;
    c.threads = spec.threads;
    auto r = train::train(c, train_, test_);
    model_ = std::move(r.model);
    // The training loop starts fine-tunes from a file: keep the float model in one for qat.
    file_ = std::filesystem::temp_directory_path() /
            ("mixq_sweep_float_" + std::to_string(::getpid()) + "_" +
             std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".bin");
    train::save_model(model_, file_);
    own_file_ = true;
  }
  train::EvalOptions opt;
  opt.threads = spec.threads;
  float_accuracy_ = train::evaluate_accuracy(model_, test_, opt);
}

TrainedBase::~TrainedBase() {
  if (own_file_) {
    std::error_code ec;
    std::filesystem::remove(file_, ec);
  }
}

void PtqAccuracy::score(const Space& space, std::span<const ChoiceIndices* const> batch,
                        std::span<double> accuracy) const {
  train::EvalOptions opt;
  opt.threads = 1;  // the evaluator already runs points in parallel
  for (std::size_t i = 0; i < batch.size(); ++i) {
    accuracy[i] = train::evaluate_accuracy(base_->model(), space.assignment(*batch[i]),
                                           base_->test_data(), opt);
  }
}

QatAccuracy::QatAccuracy(std::shared_ptr<const TrainedBase> base, const SweepSpec& spec)
    : base_(std::move(base)), workload_(spec.workload), epochs_(spec.accuracy.training.qat_epochs),
      lr_(spec.accuracy.training.lr), seed_(spec.seed) {}

void QatAccuracy::score(const Space& space, std::span<const ChoiceIndices* const> batch,
                        std::span<double> accuracy) const {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    train::TrainConfig c;
    c.workload = workload_;
    c.phases = {{train::PhaseKind::kFixedBits, epochs_, lr_}};
    c.quant.assignment = space.assignment(*batch[i]);
    c.quant.first_last.reset();
    c.init_model = base_->model_file();
    c.seed = seed_;
    c.threads = 1;
    const auto r = train::train(c, base_->train_data(), base_->test_data());
    train::EvalOptions opt;
    opt.threads = 1;
    accuracy[i] = train::evaluate_accuracy(r.model, space.assignment(*batch[i]), base_->test_data(), opt);
  }
}

}  // namespace mixq::explorer
