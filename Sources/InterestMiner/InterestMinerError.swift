import EventFormat
import InterestStore
import TextEmbedding
import Tokenization

/// The façade's one error type: every failure a command can report, each with a message that
/// says where, what, and how to fix it.
public enum InterestMinerError: Error, Sendable, CustomStringConvertible {
    case store(StoreError)
    /// A configuration problem in how input is to be read (a bad --map, a missing CSV header).
    case format(source: String, EventFormatError)
    /// An input could not be read at all.
    case unreadableInput(source: String, reason: String)
    /// `--strict`: the first bad line stopped the ingest; nothing of that input was written.
    case strictRejection(source: String, line: Int, EventFormatError)
    /// An argument is out of its range.
    case invalidArgument(name: String, reason: String)
    /// Writing an output file failed.
    case unwritableOutput(path: String, reason: String)
    /// Something needed does not exist yet (e.g. no trained model).
    case missing(what: String, hint: String)
    /// Item ids the catalogue does not hold (candidates given to `rank`).
    case unknownItems([String])
    /// A tokenizer file or setting is unusable.
    case tokenizer(source: String, TokenizationError)
    /// A text model (a pretrained model directory, or the stored text model) is unusable.
    case textModel(TextEmbeddingError)
    /// What was asked needs the SQLite backend: on PostgreSQL this version keeps the event log
    /// (ingest, history, item, stats, forget), not models, generations or serving.
    case sqliteOnly(location: String)

    public var description: String {
        switch self {
        case .store(let e): return e.description
        case .format(let source, let e): return "\(source): \(e)"
        case .unreadableInput(let source, let reason): return "cannot read \(source): \(reason)"
        case .strictRejection(let source, let line, let e):
            return "\(source):\(line): \(e) (--strict: nothing from \(source) was written)"
        case .invalidArgument(let name, let reason): return "invalid \(name): \(reason)"
        case .unwritableOutput(let path, let reason): return "cannot write \(path): \(reason)"
        case .missing(let what, let hint): return "\(what); \(hint)"
        case .unknownItems(let items):
            return "not in the catalogue: \(items.prefix(10).joined(separator: ", "))" + (items.count > 10 ? " and \(items.count - 10) more" : "")
        case .tokenizer(let source, let e): return "\(source): \(e)"
        case .textModel(let e): return e.description
        case .sqliteOnly(let location):
            return "\(location) is a PostgreSQL database; this command (the leave-last-out evaluation, the file integrity check) runs on an SQLite database (--db shop.sqlite)"
        }
    }
}
