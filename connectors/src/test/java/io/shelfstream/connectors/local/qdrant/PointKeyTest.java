package io.shelfstream.connectors.local.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Common.PointId;

class PointKeyTest {

    private static final UUID UUID_1 = UUID.fromString("550e8400-e29b-41d4-a716-446655440000");

    @Test
    void acceptsTheUuidFormsQdrantParses() {
        for (String form : List.of(
                "550e8400-e29b-41d4-a716-446655440000",
                "550E8400-E29B-41D4-A716-446655440000",
                "550e8400e29b41d4a716446655440000",
                "{550e8400-e29b-41d4-a716-446655440000}",
                "urn:uuid:550e8400-e29b-41d4-a716-446655440000")) {
            PointKey key = PointKey.fromProto(PointId.newBuilder().setUuid(form).build());
            assertThat(key).as(form).isEqualTo(PointKey.ofUuid(UUID_1));
            assertThat(key.toProto().getUuid()).isEqualTo("550e8400-e29b-41d4-a716-446655440000");
        }
    }

    @Test
    void rejectsStringsThatAreNotUuids() {
        for (String bad : List.of("", "42", "book-42", "1-1-1-1-1", "550e8400-e29b-41d4-a716-44665544000g",
                "550e8400_e29b_41d4_a716_446655440000", "(550e8400-e29b-41d4-a716-446655440000)")) {
            assertThatThrownBy(() -> PointKey.fromProto(PointId.newBuilder().setUuid(bad).build()))
                    .as(bad)
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).isEqualTo("Unable to parse UUID: " + bad);
                    });
        }
    }

    @Test
    void rejectsAnIdWithoutValue() {
        assertThatThrownBy(() -> PointKey.fromProto(PointId.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).isEqualTo("No ID options provided"));
    }

    @Test
    void ordersIntegersUnsignedAndBeforeUuidsLikeQdrant() {
        List<PointKey> keys = new ArrayList<>(List.of(
                PointKey.ofUuid(UUID.fromString("ffffffff-0000-0000-0000-000000000000")),
                PointKey.ofNum(-1L),
                PointKey.ofUuid(UUID.fromString("00000000-0000-0000-0000-000000000001")),
                PointKey.ofNum(2),
                PointKey.ofNum(10)));
        keys.sort(null);
        assertThat(keys).extracting(PointKey::toString).containsExactly(
                "2", "10", "18446744073709551615",
                "00000000-0000-0000-0000-000000000001", "ffffffff-0000-0000-0000-000000000000");
    }
}
