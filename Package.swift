// swift-tools-version:6.1
import PackageDescription

// The hot numeric stages are optimised even in debug builds, so `swift test` and a debug
// `interests demo` train in seconds rather than minutes; everything else stays debuggable.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "InterestMiner",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "interests", targets: ["interests"]),
        .library(name: "InterestMiner", targets: ["InterestMiner"]),
        // The HTTP service as a library (Benchmarks/fuzz drives its body decoders).
        .library(name: "InterestServer", targets: ["InterestServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The HTTP service (`InterestServer`); swift-configuration support is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        // The PostgreSQL backend of the store (`--db postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Hot float kernels in C with runtime AVX2/FMA dispatch (Swift cannot pick instruction
        // sets per function); wrapped by InterestCore's VectorMath.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // Pure value types and kernels: IDs, vectors, seeded RNG, hashing, time.
        .target(name: "InterestCore", dependencies: ["CKernels"], swiftSettings: optimized),
        // Tokenizers: normalizers, pre-tokenizers, BPE/WordPiece, trainers, tokenizer.json (no I/O).
        .target(name: "Tokenization", dependencies: ["InterestCore"], swiftSettings: optimized),
        // The transformer's element-wise kernels (LayerNorm, GELU, softmax…) with runtime
        // AVX-512/AVX2 dispatch, and OpenBLAS (Debian/Ubuntu: libopenblas0 or libopenblas-dev):
        // cblas_sgemm, opened on first use rather than linked (its constructor starts a
        // spinning thread pool in every process).
        .target(name: "CTransformerKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
                linkerSettings: [.linkedLibrary("dl")]),
        // Text vectors: the TextEncoder protocol, skip-gram training, SIF pooling, terms, and the
        // pretrained transformer encoder (all-MiniLM-L6-v2) from safetensors.
        .target(name: "TextEmbedding", dependencies: ["InterestCore", "Tokenization", "CTransformerKernels"],
                swiftSettings: optimized),
        // Collaborative filtering: CSR matrix, ALS (conjugate gradient), BPR, fold-in.
        .target(name: "CollaborativeFiltering", dependencies: ["InterestCore", "CKernels"], swiftSettings: optimized),
        // The sequence model: a causal self-attention Transformer over users' histories, its
        // forward and backward passes, Adam training and serialization (maths only, no I/O).
        .target(name: "SequenceModel", dependencies: ["InterestCore", "CTransformerKernels"], swiftSettings: optimized),
        // Ranking maths: profiles, terms scoring, fusion, evaluation metrics and splits.
        .target(name: "Ranking", dependencies: ["InterestCore"], swiftSettings: optimized),
        // Event parsing and validation: JSON Lines / CSV bytes -> validated events (no I/O).
        .target(name: "EventFormat", dependencies: ["InterestCore"]),
        // The seeded synthetic e-commerce world behind Corpora/.
        .target(name: "CorpusGeneration", dependencies: ["InterestCore"]),
        // The only importer of SQLite.
        .target(
            name: "InterestStore",
            dependencies: [
                "InterestCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The façade: the only target that orchestrates the stages.
        .target(
            name: "InterestMiner",
            dependencies: ["InterestCore", "EventFormat", "CorpusGeneration", "Tokenization", "TextEmbedding", "CollaborativeFiltering", "Ranking", "SequenceModel",
                           "InterestStore"]),
        // The HTTP service: routes, request/response types, errors to statuses, auth, metrics.
        .target(
            name: "InterestServer",
            dependencies: [
                "InterestMiner",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "interests",
            dependencies: [
                "InterestMiner",
                "InterestServer",
                "InterestCore",
                "EventFormat",
                "CorpusGeneration",
                "Tokenization",
                "TextEmbedding",
                "CollaborativeFiltering",
                "SequenceModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release builds of the command carry the Swift runtime and Foundation inside the binary
            // (as `swift build --static-swift-stdlib` does; the CoreFoundation/ICU archives named
            // because the modules were compiled against the shared Foundation): a short command such as
            // `interests terms` starts in ~7 ms instead of ~11 (README "Benchmarks › Profiles and terms").
            // Debug builds and the library products are unaffected.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections"],
                                          .when(platforms: [.linux], configuration: .release))]),
        // Benchmarks: `swift run -c release interests-bench …` (see README "Benchmarks").
        .executableTarget(
            name: "interests-bench",
            dependencies: [
                "InterestMiner", "InterestStore", "EventFormat", "InterestCore", "Tokenization", "TextEmbedding", "CollaborativeFiltering", "SequenceModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The raw-SQLite ceiling of the ingest benchmark (RawInsert.swift).
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/InterestsBench"),
        .testTarget(name: "InterestCoreTests", dependencies: ["InterestCore"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "InterestCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TextEmbeddingTests", dependencies: ["TextEmbedding", "Tokenization", "InterestCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CollaborativeFilteringTests", dependencies: ["CollaborativeFiltering", "InterestCore"]),
        .testTarget(name: "SequenceModelTests", dependencies: ["SequenceModel", "InterestCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RankingTests", dependencies: ["Ranking", "InterestCore"]),
        .testTarget(name: "EventFormatTests", dependencies: ["EventFormat"]),
        .testTarget(name: "CorpusGenerationTests", dependencies: ["CorpusGeneration", "InterestCore"]),
        .testTarget(name: "InterestStoreTests", dependencies: ["InterestStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "InterestMinerTests", dependencies: ["InterestMiner", "SequenceModel"]),
        .testTarget(name: "CommandLineTests", dependencies: ["InterestCore"]),
        .testTarget(
            name: "InterestServerTests",
            dependencies: [
                "InterestServer", "InterestMiner", "InterestCore", "CorpusGeneration", "CollaborativeFiltering", "TextEmbedding", "Tokenization", "SequenceModel",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
