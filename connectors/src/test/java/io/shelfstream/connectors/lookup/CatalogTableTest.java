package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CatalogTableTest {

    @Test
    void buildsOneQueryWithQuotedNamesAndAnArrayParameter() {
        CatalogTable table = CatalogTable.builder()
                .setTable("library.Books")
                .setIdColumn("book_id")
                .addFields("title=book_title, author = writer ,genres")
                .build();
        assertThat(table.selectSql()).isEqualTo("SELECT \"book_id\", \"book_title\", \"writer\", \"genres\" "
                + "FROM \"library\".\"Books\" WHERE \"book_id\" = ANY(?)");
        assertThat(table.fields()).containsExactly(
                org.assertj.core.api.Assertions.entry("title", "book_title"),
                org.assertj.core.api.Assertions.entry("author", "writer"),
                org.assertj.core.api.Assertions.entry("genres", "genres"));
        assertThat(table.idSqlType()).isEqualTo(CatalogTable.DEFAULT_ID_SQL_TYPE);
    }

    @Test
    void namesThatCouldInjectSqlAreRejectedOnEntry() {
        assertThatThrownBy(() -> CatalogTable.builder().setTable("books; drop table books"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SQL identifier");
        assertThatThrownBy(() -> CatalogTable.builder().setIdColumn("book\"id"))
                .hasMessageContaining("id column must be an SQL identifier");
        assertThatThrownBy(() -> CatalogTable.builder().addField("title", "a b"))
                .hasMessageContaining("column for field 'title'");
        assertThatThrownBy(() -> CatalogTable.builder().setTable("a.b.c")).hasMessageContaining("schema.table");
        assertThatThrownBy(() -> CatalogTable.builder().setIdSqlType("text); --"))
                .hasMessageContaining("PostgreSQL type name");
    }

    @Test
    void mappingsAreCheckedForEmptyEntriesAndDuplicates() {
        assertThatThrownBy(() -> CatalogTable.builder().addFields("title=t,,author"))
                .hasMessageContaining("empty entry");
        assertThatThrownBy(() -> CatalogTable.builder().addFields(" "))
                .hasMessageContaining("field=column pairs");
        assertThatThrownBy(() -> CatalogTable.builder().addFields("title=a,title=b"))
                .hasMessageContaining("mapped twice");
    }

    @Test
    void buildNamesWhatIsMissing() {
        assertThatThrownBy(() -> CatalogTable.builder().setIdColumn("id").addField("x").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("setTable");
        assertThatThrownBy(() -> CatalogTable.builder().setTable("t").addField("x").build())
                .hasMessageContaining("setIdColumn");
        assertThatThrownBy(() -> CatalogTable.builder().setTable("t").setIdColumn("id").build())
                .hasMessageContaining("addField");
    }
}
