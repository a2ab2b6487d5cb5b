import FuzzSupport
import TextEmbedding

// A model folder's weights (`--model-dir DIR`: model.safetensors with config.json). The input is
// config.json's text, a zero byte, then the safetensors file. Reading the safetensors file must
// not trap and every tensor it lists must read as its own shape; the folder (config and weights
// with the small fixed tokenizer and pooling below) must load or fail with an error, and a
// model that loads must encode.

/// A WordPiece tokenizer of 8 tokens with [CLS] … [SEP] (any config with vocab_size ≥ 8 fits).
let tokenizer = Array(#"""
{"added_tokens":[{"id":0,"content":"[PAD]","special":true,"normalized":false},{"id":1,"content":"[UNK]","special":true,"normalized":false},
{"id":2,"content":"[CLS]","special":true,"normalized":false},{"id":3,"content":"[SEP]","special":true,"normalized":false}],
"normalizer":{"type":"BertNormalizer","lowercase":true},"pre_tokenizer":{"type":"BertPreTokenizer"},
"post_processor":{"type":"BertProcessing","cls":["[CLS]",2],"sep":["[SEP]",3]},"decoder":{"type":"WordPiece"},
"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hello":4,"world":5,"##s":6,"a":7}}}
"""#.utf8)
let pooling = Array(#"{"pooling_mode_mean_tokens": true}"#.utf8)
let sentence = Array(#"{"max_seq_length": 6}"#.utf8)
let texts = ["hello worlds", "a a a a a a a a a a", "", "unknown words"]

runFuzzer { bytes in
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let config = Array(bytes[..<split])
    let weights = split < bytes.count ? Array(bytes[(split + 1)...]) : []
    if let tensors = try? SafeTensors(bytes: weights) {
        for (name, entry) in tensors.entries.sorted(by: { $0.key < $1.key }) {
            guard let values = try? tensors.floats(name, shape: entry.shape) else { continue }
            guard values.count == entry.shape.reduce(1, *) else { violated("\(name): \(values.count) values for shape \(entry.shape)") }
        }
    }
    let files = SentenceTransformerFiles(config: config, weights: weights, tokenizer: tokenizer, pooling: pooling, sentenceConfig: sentence)
    guard let encoder = try? TransformerEncoder(files: files) else { return }
    for (text, vector) in zip(texts, encoder.encode(texts)) where vector.values.count != encoder.dimension {
        violated("\(vector.values.count) dimensions for \(text.debugDescription), the model has \(encoder.dimension)")
    }
}
