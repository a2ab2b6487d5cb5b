import TextEmbedding

extension Serving {
    /// Vectors of `texts` from the database's text model (nil where the model knows nothing in
    /// a text), as ingest would store them.
    public func embed(_ texts: [String], threads: Int = 2) throws(InterestMinerError) -> [[Float]?] {
        let model = try requireTextModel()
        return model.encoder.encode(texts, threads: max(1, threads)).map { $0.isEmpty ? nil : $0.values }
    }
}

extension InterestMiner {
    /// Vectors of `texts` from a pretrained model directory, without a database.
    public static func embed(_ texts: [String], modelDirectory: String, maxLength: Int? = nil, threads: Int = 2) throws(InterestMinerError) -> [[Float]?] {
        let encoder = try loadPretrainedModel(directory: modelDirectory, maxLength: maxLength).encoder
        return encoder.encode(texts, threads: max(1, threads)).map { $0.isEmpty ? nil : $0.values }
    }
}
