import InterestCore

/// One event of a user's timeline before it is written out.
struct PendingEvent: Sendable {
    enum Kind: UInt8, Sendable {
        case review, query, view, click, cart, purchase

        /// The `action` value of an interaction.
        var action: String {
            switch self {
            case .view: "view"
            case .click: "click"
            case .cart: "cart"
            case .purchase: "purchase"
            case .review: "review"
            case .query: "query"
            }
        }
    }

    var timestamp: Int64
    /// Creation order; breaks timestamp ties so sorting is deterministic.
    var sequence: Int32
    var kind: Kind
    /// Catalogue index, or -1 for queries.
    var item: Int32
    /// 1 ... 5 for reviews, 0 otherwise.
    var rating: Int8
    /// Review or query text ("" for interactions).
    var text: String
}

/// How often each planted term of one interest has been written so far (in the user's own
/// queries and reviews, or in the titles of same-language items of the topic the user touched).
struct InterestUsage: Sendable {
    /// Products first, then uses (`TopicVocabulary.term` order).
    var terms: [Int]
    var brand = 0
    var colour = 0
    var material = 0
}

/// A generated user: chronological events (timestamps strictly increasing) and the held-out
/// purchases.
struct UserTimeline: Sendable {
    let profile: UserProfile
    let events: [PendingEvent]
    let futurePurchases: [Int32]
}

enum SessionTarget: Sendable {
    case interest(Int)
    case offInterest(topic: Int, gift: Bool)
}

struct PlannedSession: Sendable {
    var start: Int64
    var target: SessionTarget
    var order: Int
}

/// Simulates one user's year: plans sessions, runs them, withholds the final in-interest
/// session's purchases as future purchases, and tops up term coverage.
struct UserSimulation {
    let catalogue: Catalogue
    let profile: UserProfile
    let configuration: CorpusConfiguration
    let templates: LanguageTemplates
    var random: SeededRandom
    var usage: [InterestUsage]
    var events: [PendingEvent] = []
    /// Items the user has had an event on (in emission order).
    var touched: [Int32] = []
    /// Items the user has bought (in emission order).
    var purchased: [Int32] = []
    /// Every title credit given by `noteTouched` (item, interest), so credits of items that
    /// later become future purchases can be taken back.
    var titleCredits: [(item: Int32, interest: Int)] = []
    /// End times of each interest's emitted sessions.
    var sessionEnds: [[Int64]]
    /// Items bought in the held-out session (filled in once that session has run).
    var futurePurchases: [Int32] = []
    var sequence: Int32 = 0
    var clock: Int64 = 0

    var language: Language { profile.language }
    var start: Int64 { configuration.startTimestamp }
    var end: Int64 { configuration.endTimestamp }

    init(catalogue: Catalogue, configuration: CorpusConfiguration, userIndex: Int) {
        var random = SeededRandom(seed: configuration.seed, stream: UInt64(userIndex) &+ 1)
        let profile = UserProfile.make(
            index: userIndex, configuration: configuration, catalogue: catalogue, random: &random)
        self.catalogue = catalogue
        self.configuration = configuration
        self.profile = profile
        self.random = random
        templates = LanguageTemplates.forLanguage(profile.language)
        usage = profile.interests.map {
            InterestUsage(terms: [Int](repeating: 0, count: Vocabulary.topics[$0.topic].vocabulary.termCount))
        }
        sessionEnds = [[Int64]](repeating: [], count: profile.interests.count)
    }

    /// Runs the whole timeline.
    mutating func run() -> UserTimeline {
        let plan = planSessions()
        let heldOutIndex = plan.lastIndex {
            if case .interest = $0.target { return true }
            return false
        }
        var heldOutStart: Int64?
        var previousEnd = Int64.min / 2
        for (index, session) in plan.enumerated() {
            clock = max(session.start, previousEnd + Int64(random.next(in: 900...7200)))
            let sessionStart = clock
            switch session.target {
            case .interest(let interest):
                if index == heldOutIndex {
                    let savedEvents = events.count
                    let savedTouched = touched.count
                    let savedPurchased = purchased.count
                    let savedCredits = titleCredits.count
                    let savedUsage = usage
                    let purchases = runInterestSession(interest, heldOut: true)
                    if purchases.isEmpty {
                        sessionEnds[interest].append(clock)
                    } else {
                        events.removeSubrange(savedEvents...)
                        touched.removeSubrange(savedTouched...)
                        purchased.removeSubrange(savedPurchased...)
                        titleCredits.removeSubrange(savedCredits...)
                        usage = savedUsage
                        for item in purchases where !futurePurchases.contains(item) {
                            futurePurchases.append(item)
                        }
                        withdrawTitleCredits(of: futurePurchases)
                        heldOutStart = sessionStart
                    }
                } else {
                    _ = runInterestSession(interest, heldOut: false)
                    sessionEnds[interest].append(clock)
                }
            case let .offInterest(topic, gift):
                runOffInterestSession(topic: topic, gift: gift)
            }
            previousEnd = clock
        }
        for interest in profile.interests.indices where hasMissingTerms(interest) {
            runCoverageSession(interest, heldOutStart: heldOutStart)
        }
        return UserTimeline(
            profile: profile, events: finalizedEvents(excluding: futurePurchases), futurePurchases: futurePurchases)
    }

    /// The emitted events without any event on a future purchase, in chronological order with
    /// strictly increasing timestamps inside `[start, end)`.
    private func finalizedEvents(excluding future: [Int32]) -> [PendingEvent] {
        var result = future.isEmpty ? events : events.filter { !future.contains($0.item) }
        result.sort {
            $0.timestamp != $1.timestamp ? $0.timestamp < $1.timestamp : $0.sequence < $1.sequence
        }
        guard !result.isEmpty else { return result }
        for index in 1..<result.count where result[index].timestamp <= result[index - 1].timestamp {
            result[index].timestamp = result[index - 1].timestamp + 1
        }
        let last = result.count - 1
        if result[last].timestamp > end - 1 { result[last].timestamp = end - 1 }
        for index in stride(from: last - 1, through: 0, by: -1)
        where result[index].timestamp >= result[index + 1].timestamp {
            result[index].timestamp = result[index + 1].timestamp - 1
        }
        return result
    }

    /// Takes back the title credits of `items` (their earlier views are removed from the
    /// stream because the items are held out).
    private mutating func withdrawTitleCredits(of items: [Int32]) {
        for credit in titleCredits where items.contains(credit.item) {
            creditTitle(of: credit.item, interest: credit.interest, by: -1)
        }
        titleCredits.removeAll { items.contains($0.item) }
    }

    /// Appends an event at the current clock.
    mutating func emit(_ kind: PendingEvent.Kind, item: Int32 = -1, rating: Int8 = 0, text: String = "") {
        emit(kind, item: item, rating: rating, text: text, at: clock)
    }

    /// Appends an event at `timestamp`.
    mutating func emit(_ kind: PendingEvent.Kind, item: Int32, rating: Int8, text: String, at timestamp: Int64) {
        events.append(
            PendingEvent(timestamp: timestamp, sequence: sequence, kind: kind, item: item, rating: rating, text: text))
        sequence &+= 1
    }

    /// Moves the clock forward by a random number of seconds in `range`.
    mutating func advance(_ range: ClosedRange<Int>) {
        clock += Int64(random.next(in: range))
    }
}
