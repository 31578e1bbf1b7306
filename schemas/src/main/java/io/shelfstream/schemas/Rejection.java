package io.shelfstream.schemas;

/** Internal control flow of the parser: a record breaks the contract. Carries no stack trace (it is not an error). */
final class Rejection extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    Rejection(DeadLetterReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    DeadLetterReason reason() {
        return reason;
    }

    String detail() {
        return getMessage();
    }
}
