package io.shelfstream.connectors.lookup.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Tells transient database failures (worth retrying) from permanent ones (a wrong column name, missing
 * permissions), by exception type and SQLSTATE.
 */
public final class TransientErrors {

    private TransientErrors() {
    }

    /**
     * Tells whether another attempt may succeed.
     *
     * <p>Transient: {@link SQLTransientException} (HikariCP's "no connection in time" among them),
     * {@link SQLRecoverableException}, {@link IOException}, and the SQLSTATE classes 08 (connection exception),
     * 53 (insufficient resources), 57P (server shutting down or starting), 58 (system error), plus 40001
     * (serialization failure), 40P01 (deadlock), 55P03 (lock not available) and 57014 (statement timeout), anywhere
     * in the cause chain.
     *
     * @param error the failure
     * @return true if retrying may help
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException sql && isTransientState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static boolean isTransientState(String state) {
        if (state == null || state.length() != 5) {
            return false;
        }
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.startsWith("58")
                || state.equals("40001") || state.equals("40P01") || state.equals("55P03") || state.equals("57014");
    }
}
