import InterestCore

/// What the sequence model is trained against at each position.
public enum SequenceLoss: String, Sendable, Codable, CaseIterable {
    /// Full softmax cross-entropy over every catalogue item (Klenitskiy & Vasilev, "Turning Dross
    /// Into Gold Loss: is BERT4Rec really better than SASRec?", RecSys 2023).
    case full
    /// Sampled softmax: the target against `negatives` items drawn uniformly, shared by a batch
    /// (the many-negatives regime of gSASRec, Petrov & Macdonald, RecSys 2023).
    case sampled
    /// `full` while an epoch's logits (targets × items) stay within
    /// `SequenceSettings.fullSoftmaxLogits` and the catalogue within `fullSoftmaxItems`,
    /// `sampled` beyond.
    case auto
}

/// The sequence model's shape and training settings (README "Sequence model" explains each).
public struct SequenceSettings: Sendable, Codable, Equatable {
    /// Positive events of a user's history the model reads (the most recent ones).
    public var maxLength = 50
    /// Self-attention blocks.
    public var blocks = 2
    /// Attention heads per block (`dimension` must be a multiple).
    public var heads = 1
    public var dimension = 64
    /// Dropout after the input sum, the attention projection and the feed-forward output.
    public var dropout: Float = 0.5
    /// At most this many passes over the training positions (early stopping ends sooner).
    public var epochs = 200
    /// Stop after this many epochs without a better validation NDCG@10.
    public var patience = 10
    /// The most training targets (positions) one epoch takes: a shop with more trains each
    /// "epoch" on the next slice of a seeded shuffle of its windows (every window once per full
    /// cycle), so early stopping still looks every few million targets. A shop with fewer (the
    /// seq-* sets: 0.1–0.2 M) trains on all of them each epoch, unchanged.
    public var epochTargets = 4_000_000
    /// The most training targets of the whole run (epochs × targets each): bounds the time at
    /// scale (the 1,000,000-user scale shop has 42.6 M targets; its 32 M took 725 s of sampled
    /// softmax on two cores, validation included). The seq-* sets stop early long before it.
    public var targetBudget = 32_000_000
    /// Decay of the exponential moving average of the weights that validation reads and the run
    /// keeps (Polyak & Juditsky 1992; the decay warmed up as min(decay, (1 + t)/(10 + t)) over
    /// steps t); 0 keeps the last step's weights.
    public var averageDecay: Float = 0.999
    /// Sequences per mini-batch.
    public var batchSize = 128
    public var learningRate: Float = 0.002
    public var loss: SequenceLoss = .auto
    /// Negatives per batch for the sampled loss.
    public var negatives = 1024
    /// The largest catalogue `auto` trains with the full softmax.
    public var fullSoftmaxItems = 100_000
    /// The most logits per epoch (targets × items) `auto` trains with the full softmax: about
    /// 30 s an epoch on two cores (seq-beauty has 1.8 billion; a shop of 100,000 users with 5 M
    /// events over 10,000 items, 50 billion, trains sampled).
    public var fullSoftmaxLogits = 5_000_000_000
    /// Users whose last training item is held out for early stopping (a seeded sample).
    public var validationUsers = 2048
    /// Item inputs add a learned projection of the item's text vector (when the shop has text).
    public var textAware = true
    /// Text-aware models: the share of items whose ID embedding is left out at each step (input
    /// and output alike), so the text projection alone must place them — what an item never
    /// seen in training has (DropoutNet, Volkovs, Yu & Poutanen, NeurIPS 2017).
    public var idDropout: Float = 0.25
    public var seed: UInt64 = 1
    /// Threads a training step uses; the result does not depend on it (each step is cut into the
    /// same two shards whatever the thread count, and their gradients are summed in order).
    public var threads = 2

    public init() {}

    /// The loss used for `targets` training positions over a catalogue of `items`.
    public func effectiveLoss(items: Int, targets: Int) -> SequenceLoss {
        switch loss {
        case .auto:
            items <= fullSoftmaxItems && items.multipliedReportingOverflow(by: targets).partialValue <= fullSoftmaxLogits
                && !items.multipliedReportingOverflow(by: targets).overflow ? .full : .sampled
        case .full, .sampled: loss
        }
    }

    /// Rejects settings that cannot train, naming the setting and the allowed range.
    public func validate() throws(SequenceModelError) {
        func check(_ ok: Bool, _ name: String, _ reason: String) throws(SequenceModelError) {
            if !ok { throw .invalidSetting(name: name, reason: reason) }
        }
        try check((1...1024).contains(maxLength), "sequence-length", "must be 1…1024, got \(maxLength)")
        try check((1...16).contains(blocks), "sequence-blocks", "must be 1…16, got \(blocks)")
        try check((1...1024).contains(dimension), "sequence-dimension", "must be 1…1024, got \(dimension)")
        try check(heads >= 1 && heads <= dimension && dimension % heads == 0, "sequence-heads",
                  "must divide the dimension \(dimension), got \(heads)")
        try check(dropout.isFinite && dropout >= 0 && dropout < 1, "sequence-dropout", "must be in [0, 1), got \(dropout)")
        try check(idDropout.isFinite && idDropout >= 0 && idDropout < 1, "sequence-id-dropout", "must be in [0, 1), got \(idDropout)")
        try check((1...10_000).contains(epochs), "sequence-epochs", "must be 1…10000, got \(epochs)")
        try check((1...1000).contains(patience), "sequence-patience", "must be 1…1000, got \(patience)")
        try check(averageDecay.isFinite && averageDecay >= 0 && averageDecay < 1, "sequence-average-decay",
                  "must be in [0, 1), got \(averageDecay)")
        try check(epochTargets >= 1, "sequence-epoch-targets", "must be at least 1, got \(epochTargets)")
        try check(targetBudget >= 1, "sequence-target-budget", "must be at least 1, got \(targetBudget)")
        try check((2...65_536).contains(batchSize), "sequence-batch", "must be 2…65536, got \(batchSize)")
        try check(learningRate.isFinite && learningRate > 0 && learningRate <= 1, "sequence-learning-rate",
                  "must be in (0, 1], got \(learningRate)")
        try check((1...1_000_000).contains(negatives), "sequence-negatives", "must be 1…1000000, got \(negatives)")
        try check(fullSoftmaxItems >= 1, "sequence-full-softmax-items", "must be at least 1, got \(fullSoftmaxItems)")
        try check(fullSoftmaxLogits >= 1, "sequence-full-softmax-logits", "must be at least 1, got \(fullSoftmaxLogits)")
        try check((0...10_000_000).contains(validationUsers), "sequence-validation-users", "must be 0…10000000, got \(validationUsers)")
        try check((1...256).contains(threads), "threads", "must be 1…256, got \(threads)")
    }
}

/// What went wrong in the sequence model.
public enum SequenceModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSetting(name: String, reason: String)
    /// Training data the model cannot learn from.
    case noSequences(reason: String)
    /// A stored model that cannot be read.
    case malformedModel(reason: String)
    /// Inputs that do not fit the model (an item index out of range, a text matrix of the wrong size).
    case invalidInput(reason: String)
    /// The loss became NaN or infinite.
    case diverged(epoch: Int)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let reason): "--\(name) \(reason)"
        case .noSequences(let reason): "no sequences to train the sequence model on: \(reason)"
        case .malformedModel(let reason): "the stored sequence model cannot be read: \(reason); run `interests train` again"
        case .invalidInput(let reason): "sequence model input: \(reason)"
        case .diverged(let epoch): "the sequence model's loss diverged in epoch \(epoch); lower --sequence-learning-rate"
        }
    }
}
