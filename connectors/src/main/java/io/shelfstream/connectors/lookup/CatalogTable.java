package io.shelfstream.connectors.lookup;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which catalog table a {@link JdbcEnrichmentFunction} reads and how its columns map to the fields of a
 * {@link CatalogRow}: the table, its id column, and the selected columns under field names of the caller's choosing.
 *
 * <p>The mapping is what lets one function serve catalogs whose columns are named differently: the code reads fields
 * ({@code title}), the configuration says which column holds each ({@code title=book_title}). Names are used exactly
 * as given, quoted, so they are case-sensitive; PostgreSQL folds unquoted names to lower case when a table is
 * created, so give them in lower case unless the DDL quoted them. A table may be qualified by its schema
 * ({@code library.books}). Every name is validated on entry; names with quotes or other unusual characters are
 * rejected, so no name can inject SQL.
 *
 * <p>Lookups run {@code SELECT <id>, <columns> FROM <table> WHERE <id> = ANY(?)} with one array parameter of the
 * batch's ids, typed {@link #DEFAULT_ID_SQL_TYPE text} by default; give the id column's type with
 * {@link Builder#setIdSqlType} when it is not text (keys are still passed and compared in their text form). The id
 * column should be unique (a primary key); if it is not, one of the rows sharing an id is used.
 *
 * <pre>{@code
 * CatalogTable books = CatalogTable.builder()
 *         .setTable("books")
 *         .setIdColumn("book_id")
 *         .addFields("title=title,author=author,description=description,genres=genres")
 *         .build();
 * }</pre>
 */
public final class CatalogTable implements Serializable {

    private static final long serialVersionUID = 1L;

    /** SQL type of the id array parameter unless set otherwise. */
    public static final String DEFAULT_ID_SQL_TYPE = "text";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern SQL_TYPE = Pattern.compile("[a-z][a-z0-9_ ]{0,62}");

    private final String table;
    private final String idColumn;
    private final String idSqlType;
    // field name -> column, in selection order
    private final LinkedHashMap<String, String> fields;

    private CatalogTable(Builder builder) {
        this.table = builder.table;
        this.idColumn = builder.idColumn;
        this.idSqlType = builder.idSqlType;
        this.fields = new LinkedHashMap<>(builder.fields);
    }

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the table name as configured (possibly schema-qualified).
     *
     * @return the table
     */
    public String table() {
        return table;
    }

    /**
     * Returns the id column.
     *
     * @return the id column
     */
    public String idColumn() {
        return idColumn;
    }

    /**
     * Returns the SQL type of the id array parameter.
     *
     * @return e.g. {@code text} or {@code bigint}
     */
    public String idSqlType() {
        return idSqlType;
    }

    /**
     * Returns the selected columns by field name, in selection order.
     *
     * @return an unmodifiable map of field name to column
     */
    public Map<String, String> fields() {
        return Collections.unmodifiableMap(fields);
    }

    /**
     * Returns the lookup query: the id column first, then the selected columns in order.
     *
     * @return {@code SELECT "id", "c1", ... FROM "table" WHERE "id" = ANY(?)}
     */
    public String selectSql() {
        StringBuilder sql = new StringBuilder("SELECT ").append(quote(idColumn));
        for (String column : fields.values()) {
            sql.append(", ").append(quote(column));
        }
        sql.append(" FROM ");
        String[] parts = table.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            sql.append(i == 0 ? "" : ".").append(quote(parts[i]));
        }
        return sql.append(" WHERE ").append(quote(idColumn)).append(" = ANY(?)").toString();
    }

    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatalogTable other && table.equals(other.table) && idColumn.equals(other.idColumn)
                && idSqlType.equals(other.idSqlType) && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, idColumn, idSqlType, fields);
    }

    @Override
    public String toString() {
        return "CatalogTable{" + table + " by " + idColumn + ", fields " + fields + "}";
    }

    /** Builds a {@link CatalogTable}; every setter validates its argument. */
    public static final class Builder {

        private String table;
        private String idColumn;
        private String idSqlType = DEFAULT_ID_SQL_TYPE;
        private final LinkedHashMap<String, String> fields = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the table, optionally qualified by its schema.
         *
         * @param table e.g. {@code books} or {@code library.books}
         * @return this builder
         */
        public Builder setTable(String table) {
            Objects.requireNonNull(table, "table");
            String[] parts = table.split("\\.", -1);
            if (parts.length > 2) {
                throw new IllegalArgumentException("Table '" + table + "' has more than one '.'; give table or "
                        + "schema.table");
            }
            for (String part : parts) {
                checkIdentifier(part, "table name '" + table + "'");
            }
            this.table = table;
            return this;
        }

        /**
         * Sets the id column the lookup key is matched against.
         *
         * @param idColumn e.g. {@code book_id}
         * @return this builder
         */
        public Builder setIdColumn(String idColumn) {
            this.idColumn = checkIdentifier(idColumn, "id column");
            return this;
        }

        /**
         * Sets the SQL type of the id column, used to type the array of ids ({@link #DEFAULT_ID_SQL_TYPE} unless
         * set).
         *
         * @param idSqlType a PostgreSQL type name such as {@code text}, {@code bigint}, {@code uuid}
         * @return this builder
         */
        public Builder setIdSqlType(String idSqlType) {
            if (idSqlType == null || !SQL_TYPE.matcher(idSqlType).matches()) {
                throw new IllegalArgumentException("Id SQL type must be a lower-case PostgreSQL type name such as "
                        + "text, bigint or uuid, got '" + idSqlType + "'");
            }
            this.idSqlType = idSqlType;
            return this;
        }

        /**
         * Selects a column under a field name.
         *
         * @param field  the name the row gives the value, e.g. {@code title}
         * @param column the column holding it, e.g. {@code book_title}
         * @return this builder
         */
        public Builder addField(String field, String column) {
            if (field == null || !FIELD.matcher(field).matches()) {
                throw new IllegalArgumentException("Field name must be a letter or '_' followed by letters, digits, "
                        + "'_', '.' or '-', got '" + field + "'");
            }
            checkIdentifier(column, "column for field '" + field + "'");
            if (fields.containsKey(field)) {
                throw new IllegalArgumentException("Field '" + field + "' is mapped twice (to '" + fields.get(field)
                        + "' and '" + column + "'); map each field once");
            }
            fields.put(field, column);
            return this;
        }

        /**
         * Selects a column under its own name.
         *
         * @param column the column, which is also the field name
         * @return this builder
         */
        public Builder addField(String column) {
            return addField(column, column);
        }

        /**
         * Selects columns from a mapping in text form: comma-separated {@code field=column} pairs, or bare
         * {@code column} for a field named like its column. Whitespace around names is ignored.
         *
         * @param mapping e.g. {@code "title=book_title, author=writer, genres"}
         * @return this builder
         */
        public Builder addFields(String mapping) {
            Objects.requireNonNull(mapping, "mapping");
            if (mapping.isBlank()) {
                throw new IllegalArgumentException("Column mapping is empty; give field=column pairs separated by "
                        + "commas");
            }
            for (String entry : mapping.split(",", -1)) {
                String trimmed = entry.trim();
                if (trimmed.isEmpty()) {
                    throw new IllegalArgumentException("Column mapping '" + mapping + "' has an empty entry");
                }
                int eq = trimmed.indexOf('=');
                if (eq < 0) {
                    addField(trimmed);
                } else {
                    addField(trimmed.substring(0, eq).trim(), trimmed.substring(eq + 1).trim());
                }
            }
            return this;
        }

        /**
         * Builds the mapping.
         *
         * @return the table mapping
         * @throws IllegalStateException if the table, the id column or every field is missing
         */
        public CatalogTable build() {
            if (table == null) {
                throw new IllegalStateException("No table: call setTable");
            }
            if (idColumn == null) {
                throw new IllegalStateException("No id column: call setIdColumn");
            }
            if (fields.isEmpty()) {
                throw new IllegalStateException("No column selected: call addField or addFields");
            }
            return new CatalogTable(this);
        }

        private static String checkIdentifier(String name, String what) {
            if (name == null || !IDENTIFIER.matcher(name).matches()) {
                throw new IllegalArgumentException("The " + what + " must be an SQL identifier (a letter or '_' "
                        + "followed by up to 62 letters, digits, '_' or '$'), got '" + name + "'");
            }
            return name;
        }
    }
}
