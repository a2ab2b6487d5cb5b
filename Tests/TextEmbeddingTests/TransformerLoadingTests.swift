import Foundation
import Testing
@testable import TextEmbedding

@Suite struct TransformerLoadingTests {
    /// The error loading `files` throws (nil when it loads).
    func loadError(_ files: SentenceTransformerFiles) -> TextEmbeddingError? {
        do {
            _ = try TransformerEncoder(files: files)
            return nil
        } catch {
            return error
        }
    }

    @Test func halfAndBrainFloatConversion() throws {
        #expect(SafeTensors.float(half: 0x3C00) == 1)
        #expect(SafeTensors.float(half: 0xC000) == -2)
        #expect(SafeTensors.float(half: 0x3555) == Float(Float16(bitPattern: 0x3555)))
        #expect(SafeTensors.float(half: 0x0001) == 0x1p-24)
        #expect(SafeTensors.float(half: 0x8000).sign == .minus)
        #expect(SafeTensors.float(half: 0x7C00) == .infinity)
        #expect(SafeTensors.float(half: 0x7E00).isNaN)
        for bits in stride(from: UInt16(0), to: 0x7C00, by: 7) {
            #expect(SafeTensors.float(half: bits) == Float(Float16(bitPattern: bits)))
        }
        var bf16 = safetensorsBytes([("x", [2], [1.5, -3])])
        // Rewrite as BF16: the upper halves of the two floats, and the header's dtype and offsets.
        let header = #"{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#
        let n = UInt64(header.utf8.count)
        bf16 = (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) } + Array(header.utf8) + [0xC0, 0x3F, 0x40, 0xC0]
        #expect(try SafeTensors(bytes: bf16).floats("x", shape: [2]) == [1.5, -3])
    }

    @Test func safetensorsFramingErrors() throws {
        let good = safetensorsBytes([("a", [2, 3], [1, 2, 3, 4, 5, 6])])
        #expect(try SafeTensors(bytes: good).floats("a", shape: [2, 3]) == [1, 2, 3, 4, 5, 6])
        #expect(throws: TextEmbeddingError.wrongShape(tensor: "a", expected: [3, 2], found: [2, 3])) {
            try SafeTensors(bytes: good).floats("a", shape: [3, 2])
        }
        #expect(throws: TextEmbeddingError.missingTensor(name: "b")) { try SafeTensors(bytes: good).floats("b", shape: [1]) }
        for cut in [0, 5, 20, good.count - 1] {
            #expect(throws: TextEmbeddingError.self) { try SafeTensors(bytes: Array(good.prefix(cut))) }
        }
        // A shape whose element count overflows Int is a malformed entry, not a trap.
        let huge = #"{"h":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,0]}}"#
        let hugeBytes = (0..<8).map { UInt8((UInt64(huge.utf8.count) >> (8 * UInt64($0))) & 0xFF) } + Array(huge.utf8)
        #expect(throws: TextEmbeddingError.malformedModelFile(file: "model.safetensors", reason: "entry h: 0 bytes for F32 shape [4294967296, 4294967296, 4]")) {
            try SafeTensors(bytes: hugeBytes)
        }
        #expect(SafeTensors.byteCount([3, 4], elementSize: 2) == 24)
        #expect(SafeTensors.byteCount([Int.max / 2, 3], elementSize: 1) == nil)
        let ints = safetensorsBytes([("p", [2], [0, 0])]).map { $0 }
        let i64 = String(decoding: ints, as: UTF8.self).replacingOccurrences(of: "\"F32\",\"shape\":[2]", with: "\"I32\",\"shape\":[2]")
        let parsed = try SafeTensors(bytes: Array(i64.utf8))
        #expect(parsed.entries["p"]?.dtype == "I32")
        #expect(throws: TextEmbeddingError.self) { try parsed.floats("p", shape: [2]) }
    }

    @Test func unsupportedArchitecturesAreRefusedByName() throws {
        var files = try TinyBERT.files()
        files.config = Array(String(decoding: files.config, as: UTF8.self).replacingOccurrences(of: "\"bert\"", with: "\"roberta\"").utf8)
        #expect(loadError(files)?.description.contains("model_type is roberta") == true)

        files = try TinyBERT.files()
        files.config = Array(String(decoding: files.config, as: UTF8.self).replacingOccurrences(of: "\"gelu\"", with: "\"relu\"").utf8)
        #expect(loadError(files)?.description.contains("hidden_act relu") == true)

        files = try TinyBERT.files()
        files.pooling = Array(#"{"word_embedding_dimension": 32, "pooling_mode_max_tokens": true}"#.utf8)
        #expect(loadError(files)?.description.contains("pooling_mode_max_tokens") == true)

        files = try TinyBERT.files()
        files.modules = Array(#"[{"type": "sentence_transformers.models.Transformer"}, {"type": "sentence_transformers.models.Dense"}]"#.utf8)
        #expect(loadError(files)?.description.contains("Dense") == true)

        files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: 30, layers: 2, heads: 4, intermediate: 48, positions: 40)
        #expect(loadError(files)?.description.contains("not a multiple") == true)
    }

    @Test func weightsThatDoNotFitTheConfigurationAreNamed() throws {
        var files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: 32, layers: 2, heads: 2, intermediate: 64, positions: 40)
        #expect(loadError(files) == .wrongShape(tensor: "encoder.layer.0.intermediate.dense.weight", expected: [64, 32], found: [48, 32]))

        files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: 32, layers: 3, heads: 2, intermediate: 48, positions: 40)
        #expect(loadError(files) == .missingTensor(name: "encoder.layer.2.attention.self.query.weight"))

        files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: 32, layers: 2, heads: 2, intermediate: 48, positions: 40, vocabulary: 100)
        #expect(loadError(files)?.description.contains("157 tokens") == true)

        files = try TinyBERT.files()
        files.weights = Array(files.weights.prefix(files.weights.count / 2))
        #expect(loadError(files)?.description.contains("model.safetensors is unreadable") == true)

        files = try TinyBERT.files()
        files.sentenceConfig = Array("{not json".utf8)
        #expect(loadError(files)?.description.contains("sentence_bert_config.json is unreadable") == true)
    }

    /// Found by Benchmarks/fuzz (fuzz-safetensors): max_position_embeddings below the special
    /// tokens' count made the accepted lengths an empty range, which trapped.
    @Test func tooFewPositionsForTheSpecialTokensIsAnError() throws {
        var files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: 32, layers: 2, heads: 2, intermediate: 48, positions: 1)
        #expect(loadError(files) == .malformedModelFile(file: "config.json", reason: "max_position_embeddings 1 leaves no room for a token "
                                                          + "besides the 2 special ones tokenizer.json adds"))
        files.config = TinyBERT.config(hidden: 32, layers: 2, heads: 2, intermediate: 48, positions: 2)
        #expect(loadError(files)?.description.contains("max_position_embeddings 2 leaves no room") == true)
    }

    /// Sizes in config.json that no weights file holds fail on the first tensor that does not
    /// match, before any memory is set aside: a vocab_size of 10^12 asked the allocator for
    /// 128 TB (a crash), 10^8 layers planned 1.6 billion tensors (minutes, then memory).
    /// Replayed through Benchmarks/fuzz's fuzz-safetensors harness from an edited seed.
    @Test func hugeConfigurationSizesFailOnTheWeightsNotTheAllocator() throws {
        var files = try TinyBERT.files()
        files.config = TinyBERT.config(hidden: 32, layers: 2, heads: 2, intermediate: 48, positions: 40, vocabulary: 1_000_000_000_000)
        #expect(loadError(files) == .wrongShape(tensor: "embeddings.word_embeddings.weight", expected: [1_000_000_000_000, 32], found: [157, 32]))
        files.config = TinyBERT.config(hidden: 32, layers: 100_000_000, heads: 2, intermediate: 48, positions: 40)
        #expect(loadError(files) == .missingTensor(name: "encoder.layer.2.attention.self.query.weight"))
    }

    /// Two entries whose data_offsets overlap would let a small file stand for many large
    /// tensors (each read out as its own floats); the format forbids it and so does the reader.
    @Test func tensorsThatShareBytesAreRefused() throws {
        func file(_ header: String, data: Int) -> [UInt8] {
            (0..<8).map { UInt8((UInt64(header.utf8.count) >> (8 * UInt64($0))) & 0xFF) } + Array(header.utf8) + [UInt8](repeating: 0, count: data)
        }
        let shared = file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: 12)
        #expect(throws: TextEmbeddingError.malformedModelFile(file: "model.safetensors", reason: "entry b: data_offsets [4, 12] overlap another tensor's bytes")) {
            try SafeTensors(bytes: shared)
        }
        let apart = file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: 12)
        #expect(try SafeTensors(bytes: apart).entries.count == 3)
    }

    @Test func newerSentenceTransformersLayoutIsRead() throws {
        var files = try TinyBERT.files()
        files.pooling = Array(#"{"embedding_dimension": 32, "pooling_mode": "mean", "include_prompt": true}"#.utf8)
        files.sentenceConfig = Array(#"{"transformer_task": "feature-extraction"}"#.utf8)
        files.modules = Array(#"[{"type": "sentence_transformers.base.modules.transformer.Transformer"},{"type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},{"type": "sentence_transformers.base.modules.normalize.Normalize"}]"#.utf8)
        files.tokenizerConfig = Array(#"{"model_max_length": 12}"#.utf8)
        let encoder = try TransformerEncoder(files: files)
        #expect(encoder.maxLength == 12 && encoder.pooling == .mean)
        files.tokenizerConfig = nil
        #expect(try TransformerEncoder(files: files).maxLength == 40)
        files.pooling = Array(#"{"embedding_dimension": 32, "pooling_mode": "cls"}"#.utf8)
        #expect(try TransformerEncoder(files: files).pooling == .cls)
    }
}
