// swift-tools-version:6.1
import PackageDescription

// libFuzzer harnesses over the readers of files and bodies a user hands in (README.md here).
// A package of its own, so the main package's `swift build` / `swift test` never see it; it
// uses the main package by path. Build and run with ./run.sh (it passes
// -sanitize=fuzzer,address and -enable-testing to every module).

let package = Package(
    name: "InterestMinerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "InterestMiner", path: "../.."),
    ],
    targets: [
        // libFuzzer's driver entry point (the harnesses have a Swift main, see FuzzSupport).
        .target(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: [
            "CFuzzer",
            .product(name: "InterestMiner", package: "InterestMiner"),
        ]),
        .executableTarget(name: "fuzz-tokenizer", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-jsonl", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-http-body", dependencies: [
            "FuzzSupport",
            .product(name: "InterestServer", package: "InterestMiner"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
