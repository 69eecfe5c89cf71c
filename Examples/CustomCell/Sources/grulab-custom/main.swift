import CustomCell
import GRULabCLI

// The whole `grulab` command line, with this package's cells registered beside the built-in
// ones: `swift run grulab-custom cells layernorm-gru`, or through GRULab's plugin,
// `swift package grulab run experiments/tiny.yaml`.
GRULabCLI.main(registry: .withCustomCells)
