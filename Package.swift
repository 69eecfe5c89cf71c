// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "GRULab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "grulab", targets: ["grulab"]),
        .library(name: "GRULabTensor", targets: ["GRULabTensor"]),
        .library(name: "GRULabCells", targets: ["GRULabCells"]),
        .library(name: "GRULabParity", targets: ["GRULabParity"]),
        .library(name: "GRULabHDF5", targets: ["GRULabHDF5"]),
        .library(name: "GRULabTasks", targets: ["GRULabTasks"]),
        .library(name: "GRULabTraining", targets: ["GRULabTraining"]),
        .library(name: "GRULabExperiments", targets: ["GRULabExperiments"]),
        .library(name: "GRULabCLI", targets: ["GRULabCLI"]),
        .plugin(name: "GRULabPlugin", targets: ["GRULabPlugin"]),
        .library(name: "GRULabAutodiff", targets: ["GRULabAutodiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - Public API

        /// Dense row-major tensors over Float and Double, BLAS matmul, kernels, RNG, initialisers.
        .target(
            name: "GRULabTensor",
            dependencies: [
                "CBLAS",
                "_GRULabShims",
                "_GRULabKernels",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        /// The RecurrentCell protocol, the built-in cells, layers and backward through time.
        .target(name: "GRULabCells", dependencies: ["GRULabTensor", "_GRULabKernels"]),
        /// Reading parity fixtures (PyTorch dumps) and comparing a cell against them.
        .target(name: "GRULabParity", dependencies: ["GRULabCells"]),
        /// Custom cells from a differentiable forward step (Swift's `_Differentiation`): tensor
        /// derivatives, the `DifferentiableCell` adapter, registration. A module of its own so
        /// that the core builds on toolchains without `_Differentiation`.
        .target(name: "GRULabAutodiff", dependencies: ["GRULabTensor", "GRULabCells"]),
        /// Typed Swift wrapper over the HDF5 C library and the results schema.
        .target(name: "GRULabHDF5", dependencies: ["CHDF5"]),
        /// Long-sequence tasks generated from a seed (adding, copy, selective copy) and a
        /// researcher's own sequences read from HDF5.
        .target(name: "GRULabTasks", dependencies: ["GRULabTensor", "GRULabHDF5"]),
        /// Sequence models over any cell, losses, optimizers, schedules, clipping and the
        /// instrumented training step.
        .target(name: "GRULabTraining", dependencies: ["GRULabCells", "GRULabTasks", "GRULabTensor"]),
        /// Experiment files: parsing, validation, overrides, sweeps, resolved run specifications.
        .target(
            name: "GRULabExperiments",
            dependencies: ["GRULabCells", "GRULabTasks", "GRULabTraining", "GRULabHDF5",
                           .product(name: "Yams", package: "Yams")]
        ),
        /// The command line as a library: `GRULabCLI.main(registry:)` runs every subcommand over
        /// a registry, so a downstream package's executable serves its own cells.
        .target(
            name: "GRULabCLI",
            dependencies: [
                "GRULabCells",
                "GRULabParity",
                "GRULabExperiments",
                "_GRULabShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        /// The command-line tool.
        .executableTarget(name: "grulab", dependencies: ["GRULabCLI"]),
        /// `swift package grulab ...` in a downstream package: its own cells in the command line.
        .plugin(
            name: "GRULabPlugin",
            capability: .command(
                intent: .custom(verb: "grulab", description: "Run the grulab command line with this package's cells"),
                permissions: [.writeToPackageDirectory(reason: "grulab run writes results/ in the package")]
            )
        ),

        // MARK: - Implementation details

        /// C helpers Swift cannot reach directly (glibc's mallopt, signal handlers).
        .target(name: "_GRULabShims"),
        /// Direct 2-D convolutions in C, compiled for AVX2 and FMA beside the baseline and chosen
        /// at run time: instruction sets Swift cannot select per function.
        .target(name: "_GRULabKernels"),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

        // MARK: - Tests

        .target(
            name: "GRULabTestSupport",
            dependencies: ["GRULabTensor", "GRULabCells", "GRULabParity"],
            path: "Tests/GRULabTestSupport",
            resources: [.copy("Resources/parity"), .copy("Resources/parity-conv"), .copy("Resources/parity-extra"),
                        .copy("Resources/damaged")]
        ),
        .testTarget(name: "GRULabTensorTests", dependencies: ["GRULabTensor", "GRULabTestSupport"]),
        .testTarget(name: "GRULabCellsTests", dependencies: ["GRULabCells", "GRULabTestSupport"]),
        .testTarget(name: "GRULabAutodiffTests", dependencies: ["GRULabAutodiff", "GRULabTestSupport"]),
        .testTarget(name: "GRULabParityTests", dependencies: ["GRULabParity", "GRULabTestSupport"]),
        .testTarget(name: "GRULabHDF5Tests", dependencies: ["GRULabHDF5", "HDF5WriterProbe", "GRULabTestSupport"]),
        /// Writes sample, crash-test and out-of-space run files for the HDF5 tests (Swift and
        /// Python); not a product.
        .executableTarget(name: "HDF5WriterProbe", dependencies: ["GRULabHDF5"], path: "Tests/HDF5WriterProbe",
                          // its pwrite replaces the C library's for HDF5 too (KillAtWrite.swift)
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=pwrite"])]),
        .testTarget(name: "GRULabTasksTests", dependencies: ["GRULabTasks", "GRULabHDF5", "GRULabTestSupport"]),
        .testTarget(name: "GRULabTrainingTests", dependencies: ["GRULabTraining", "GRULabTestSupport"]),
        .testTarget(name: "GRULabExperimentsTests", dependencies: ["GRULabExperiments", "GRULabTestSupport"]),
        .testTarget(name: "grulabTests", dependencies: ["grulab", "GRULabHDF5", "GRULabTestSupport"]),
    ]
)
