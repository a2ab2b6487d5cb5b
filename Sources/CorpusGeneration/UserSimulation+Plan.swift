import InterestCore

/// Session planning: how many sessions, when, and what each is about.
extension UserSimulation {
    /// Relative likelihood of a session starting in each hour of the day (UTC): quiet nights,
    /// a lunch bump and an evening peak.
    static let hourWeights: [Double] = [
        1.0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.0, 2.2, 2.3, 2.6,
        3.2, 3.0, 2.6, 2.4, 2.4, 2.6, 3.0, 3.8, 4.4, 4.6, 3.8, 2.2,
    ]

    /// Share of sessions spent outside the user's interests (gifts and random browsing).
    static let offInterestShare = 0.05

    /// Minimum number of sessions per interest (so every interest has history before the
    /// held-out session).
    static let minimumSessionsPerInterest = 4

    /// Sessions in chronological order. About `meanSessionsPerUser` (each user draws between
    /// half and one and a half times the mean, but at least enough for every interest's
    /// minimum). Every interest first gets `minimumSessionsPerInterest` sessions after its
    /// start; each remaining session is, 5 % of the time, about a topic of an unrelated
    /// category, otherwise about an interest already active at its time, chosen by weight.
    mutating func planSessions() -> [PlannedSession] {
        let interests = profile.interests
        let drawn = configuration.meanSessionsPerUser * (0.5 + random.nextUnit())
        let minimum = interests.count * UserSimulation.minimumSessionsPerInterest
        let count = max(minimum + 1, Int(drawn + 0.5))
        var sessions: [PlannedSession] = []
        for (index, interest) in interests.enumerated() {
            for _ in 0..<UserSimulation.minimumSessionsPerInterest {
                let time = sessionTime(notBefore: interest.since)
                sessions.append(PlannedSession(start: time, target: .interest(index), order: sessions.count))
            }
        }
        // Off-interest sessions only come from the sessions beyond the minimums, so their
        // probability there is raised to keep their share of all sessions near 5 %.
        let offInterestChance = min(
            0.5, UserSimulation.offInterestShare * Double(count) / Double(max(1, count - sessions.count)))
        while sessions.count < count {
            let time = sessionTime(notBefore: interests[0].since)
            if random.chance(offInterestChance) {
                sessions.append(PlannedSession(start: time, target: offInterestTarget(), order: sessions.count))
                continue
            }
            var weights: [Double] = []
            for interest in interests {
                weights.append(interest.since <= time ? Double(interest.weightPercent) : 0)
            }
            let chosen = random.pickIndex(weights: weights) ?? 0
            sessions.append(PlannedSession(start: time, target: .interest(chosen), order: sessions.count))
        }
        sessions.sort { $0.start != $1.start ? $0.start < $1.start : $0.order < $1.order }
        return sessions
    }

    /// A random session start at or after `since`: a uniform day, an hour drawn from
    /// `hourWeights`, a uniform second; at least four hours before the end of the period.
    mutating func sessionTime(notBefore since: Int64) -> Int64 {
        let firstDay = Int((since - start) / 86_400)
        let lastDay = max(firstDay, configuration.days - 1)
        let day = firstDay + random.next(below: lastDay - firstDay + 1)
        let hour = random.pickIndex(weights: UserSimulation.hourWeights) ?? 20
        var time = start + Int64(day) * 86_400 + Int64(hour * 3_600 + random.next(below: 3_600))
        if time < since { time = since + Int64(random.next(in: 60...3_600)) }
        let latest = end - 4 * 3_600
        if time > latest { time = max(since, latest - Int64(random.next(below: 3_600))) }
        return time
    }

    /// A gift or random browse in a category none of the user's interests belongs to.
    private mutating func offInterestTarget() -> SessionTarget {
        var categories: [Int] = []
        for category in Vocabulary.categories.indices
        where !profile.interests.contains(where: { $0.category == category }) {
            categories.append(category)
        }
        let category = categories[random.next(below: categories.count)]
        let topics = UserProfile.topicsByCategory[category]
        let topic = topics[random.next(below: topics.count)]
        return .offInterest(topic: topic, gift: random.chance(0.5))
    }
}
