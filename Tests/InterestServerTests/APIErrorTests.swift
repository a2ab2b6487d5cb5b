import Hummingbird
import InterestMiner
import InterestStore
@testable import InterestServer
import Testing

@Suite struct APIErrorTests {
    @Test func anUnreachableDatabaseIsATemporary503WithRetryAfter() {
        let e = APIError.from(.store(.unavailable(location: "postgres://u@db:5432/shop", reason: "connection refused")))
        #expect(e.status == .serviceUnavailable && e.code == "database_unavailable")
        #expect(e.headers[.retryAfter] == "1")
        let conflict = APIError.from(.store(.postgres(operation: "writing events", message: "deadlock detected", sqlState: "40P01")))
        #expect(conflict.status == .serviceUnavailable && conflict.code == "busy" && conflict.headers[.retryAfter] == "1")
        let busy = APIError.from(.store(.staleTextModel(encoded: 1, active: 2)))
        #expect(busy.status == .serviceUnavailable && busy.headers[.retryAfter] == "1")
    }

    @Test func errorsThatAreNotTemporaryHaveNoRetryAfter() {
        let e = APIError.from(.sqliteOnly(location: "postgres://u@db:5432/shop"))
        #expect(e.status == .internalServerError && e.detail.contains("SQLite"))
        #expect(e.headers[.retryAfter] == nil)
        #expect(APIError.from(.invalidArgument(name: "top", reason: "must be positive")).headers[.retryAfter] == nil)
    }
}
