import ArgumentParser
import Foundation
import InterestCore
import SequenceModel

/// The sequence model trained straight from a split's event file (interaction and review lines,
/// each user's in time order, ties in file order), the side of the side-by-side run against
/// Benchmarks/sequence/sasrec_torch.py bench: seconds per epoch, and with `--test` the top-10
/// lists (the user's training items excluded) for ../shared/peers/evaluate_lists.py.
struct SequenceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sequence", abstract: "Sequence-model training on an event file.")

    @Option(help: "train.jsonl of a split.") var train: String
    @Option(help: "test.jsonl: write top-10 lists of its users.") var test: String?
    @Option(help: "Where the lists go.") var lists: String = "/dev/stdout"
    @Option var dimension = 64
    @Option var blocks = 2
    @Option var heads = 1
    @Option(name: .customLong("max-length")) var maxLength = 50
    @Option var dropout: Float = 0.5
    @Option var epochs = 200
    @Option var patience = 10
    @Option var batch = 128
    @Option var lr: Float = 0.002
    @Option var loss: SequenceLoss = .auto
    @Option var negatives = 1024
    @Option(name: .customLong("validation-users")) var validationUsers = 2048
    @Option var threads = 2
    @Option var seed: UInt64 = 1
    @Option(name: .customLong("average-decay")) var averageDecay: Float = 0.999

    func run() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let (users, itemIDs, data) = try Self.read(train)
        FileHandle.standardError.write(Data("read \(users.count) users, \(itemIDs.count) items, \(data.items.count) events in \((clock.now - start).seconds) s\n".utf8))
        var s = SequenceSettings()
        (s.dimension, s.blocks, s.heads, s.maxLength, s.dropout, s.epochs, s.patience) = (dimension, blocks, heads, maxLength, dropout, epochs, patience)
        (s.batchSize, s.learningRate, s.loss, s.negatives, s.validationUsers, s.threads, s.seed) = (batch, lr, loss, negatives, validationUsers, threads, seed)
        s.averageDecay = averageDecay
        let (model, report) = try SequenceTrainer.train(data, settings: s) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let sorted = report.epochSeconds.sorted()
        let summary: [String: Any] = ["impl": "interests", "epochs": report.epochSeconds, "median_epoch_s": sorted[sorted.count / 2],
                                      "best_epoch": report.bestEpoch, "validation_ndcg": report.validationNDCG, "seconds": report.seconds,
                                      "loss": report.loss, "targets": report.targets]
        FileHandle.standardError.write(try JSONSerialization.data(withJSONObject: summary) + Data("\n".utf8))
        guard let test else { return }
        let row = Dictionary(uniqueKeysWithValues: users.enumerated().map { ($1, $0) })
        let table = try model.itemTable(count: itemIDs.count, text: nil)
        var out = ""
        for line in try String(contentsOfFile: test, encoding: .utf8).split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let user = o["user"] as? String else { continue }
            guard let u = row[user] else {
                out += "{\"user\":\"\(user)\",\"items\":[]}\n"
                continue
            }
            let history = Array(data.items[data.offsets[u]..<data.offsets[u + 1]])
            var scores = model.encode(history, table: table).map { model.scores($0, table: table) } ?? [Float](repeating: 0, count: itemIDs.count)
            for i in history { scores[Int(i)] = -.infinity }
            let top = TopK.best(10, of: scores).map { "\"\(itemIDs[Int($0.id)])\"" }
            out += "{\"user\":\"\(user)\",\"items\":[\(top.joined(separator: ","))]}\n"
        }
        try out.write(toFile: lists, atomically: false, encoding: .utf8)
    }

    static func read(_ path: String) throws -> (users: [String], items: [String], data: SequenceData) {
        var itemRow: [String: Int32] = [:], items: [String] = []
        var events: [String: [(ts: Double, order: Int, item: Int32)]] = [:]
        var order = 0
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let type = o["type"] as? String, type == "interaction" || type == "review",
                  let user = o["user"].map({ "\($0)" }), let item = o["item"].map({ "\($0)" }) else { continue }
            if let rating = o["rating"] as? Double, rating < 1 { continue }
            let ts = (o["ts"] as? Double) ?? 0
            let r: Int32
            if let known = itemRow[item] { r = known } else {
                r = Int32(items.count)
                itemRow[item] = r
                items.append(item)
            }
            events[user, default: []].append((ts, order, r))
            order += 1
        }
        let users = events.keys.sorted()
        var offsets = [0], list: [Int32] = []
        for u in users {
            list += events[u]!.sorted { ($0.ts, $0.order) < ($1.ts, $1.order) }.map(\.item)
            offsets.append(list.count)
        }
        return (users, items, SequenceData(offsets: offsets, items: list, itemCount: items.count))
    }
}

extension SequenceLoss: ExpressibleByArgument {}

/// Serving cost of the sequence model: one user's history (the last `--length` items) through a
/// model over `--items` items, then scores against every item (the model loaded, its item table
/// composed once): median and p99 over `--users` seeded histories. The model is trained for one
/// epoch on seeded random histories (the weights' values do not change the cost).
struct SequenceScoresBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sequence-scores", abstract: "Sequence scores for one user against every item.")

    @Option var items = 100_000
    @Option var dimension = 64
    @Option var blocks = 2
    @Option var length = 50
    @Option var users = 1_000

    func run() async throws {
        var random = SeededRandom(seed: 3)
        var offsets = [0], list: [Int32] = []
        for _ in 0..<2_000 {
            for _ in 0..<5 { list.append(Int32(random.next(below: items))) }
            offsets.append(list.count)
        }
        var s = SequenceSettings()
        (s.dimension, s.blocks, s.maxLength, s.epochs, s.validationUsers, s.loss) = (dimension, blocks, length, 1, 0, .sampled)
        let (model, _) = try SequenceTrainer.train(SequenceData(offsets: offsets, items: list, itemCount: items), settings: s)
        let table = try model.itemTable(count: items, text: nil)
        let clock = ContinuousClock()
        var times: [Double] = []
        var sink: Float = 0
        for _ in 0..<users {
            let history = (0..<length).map { _ in Int32(random.next(below: items)) }
            let start = clock.now
            guard let state = model.encode(history, table: table) else { continue }
            let scores = model.scores(state, table: table)
            times.append((clock.now - start).seconds * 1000)
            sink += scores[0]
        }
        times.sort()
        let out: [String: Any] = ["items": items, "dimension": dimension, "blocks": blocks, "length": length, "users": times.count,
                                  "median_ms": times[times.count / 2], "p99_ms": times[min(times.count - 1, times.count * 99 / 100)], "check": Double(sink)]
        print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
    }
}
