package io.shelfstream.connectors.local.qdrant;

import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.UpdateMode;

class LocalCollectionTest {

    private static LocalCollection collection(Distance distance) {
        VectorParams params = VectorParams.newBuilder().setSize(2).setDistance(distance).build();
        return CollectionsService.define(CreateCollection.newBuilder()
                .setCollectionName("c")
                .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
                        .putMap("dense", params)))
                .build());
    }

    private static LocalCollection.PointInput point(PointKey id, float x, float y, Map<String, Value> payload) {
        return new LocalCollection.PointInput(id, Map.of("dense", new float[] {x, y}), false, payload);
    }

    private static List<PointKey> scrollAll(LocalCollection c, PayloadFilter filter, int limit) {
        List<PointKey> seen = new ArrayList<>();
        PointKey offset = null;
        do {
            List<LocalCollection.StoredPoint> page = c.scroll(filter, offset, limit + 1);
            offset = page.size() > limit ? page.remove(limit).id : null;
            page.forEach(p -> seen.add(p.id));
        } while (offset != null);
        return seen;
    }

    @Test
    void scrollPagesThroughEveryPointOnceInIdOrder() {
        LocalCollection c = collection(Distance.Dot);
        List<LocalCollection.PointInput> inputs = new ArrayList<>();
        for (int i = 25; i >= 1; i--) {
            inputs.add(point(PointKey.ofNum(i), i, 0, Map.of("parity", value(i % 2 == 0 ? "even" : "odd"))));
        }
        inputs.add(point(PointKey.ofUuid(UUID.fromString("00000000-0000-0000-0000-000000000001")), 1, 1, Map.of()));
        c.upsert(inputs, null, UpdateMode.Upsert);

        List<PointKey> all = scrollAll(c, PayloadFilter.ALL, 7);
        assertThat(all).hasSize(26).isSorted().doesNotHaveDuplicates();
        assertThat(all.get(0)).isEqualTo(PointKey.ofNum(1));
        assertThat(all.get(25).isUuid()).isTrue();

        PayloadFilter even = PayloadFilter.of(true, Filter.newBuilder().addMust(matchKeyword("parity", "even")).build());
        assertThat(scrollAll(c, even, 5)).hasSize(12).isSorted();
    }

    @Test
    void scrollOffsetIsInclusiveAndLastPageHasNoNextOffset() {
        LocalCollection c = collection(Distance.Dot);
        c.upsert(List.of(point(PointKey.ofNum(1), 1, 0, Map.of()), point(PointKey.ofNum(2), 1, 0, Map.of()),
                point(PointKey.ofNum(3), 1, 0, Map.of())), null, UpdateMode.Upsert);
        List<LocalCollection.StoredPoint> page = c.scroll(PayloadFilter.ALL, PointKey.ofNum(2), 3);
        assertThat(page).extracting(p -> p.id).containsExactly(PointKey.ofNum(2), PointKey.ofNum(3));
    }

    @Test
    void cosineVectorsAreStoredNormalised() {
        LocalCollection c = collection(Distance.Cosine);
        c.upsert(List.of(point(PointKey.ofNum(1), 3, 4, Map.of())), null, UpdateMode.Upsert);
        float[] stored = c.storedVector(PointKey.ofNum(1), "dense");
        assertThat(stored).containsExactly(new float[] {0.6f, 0.8f}, within(1e-7f));
    }

    @Test
    void searchRanksByDistanceAndAppliesThresholdOffsetAndLimit() {
        LocalCollection c = collection(Distance.Euclid);
        c.upsert(List.of(point(PointKey.ofNum(1), 0, 0, Map.of()), point(PointKey.ofNum(2), 3, 4, Map.of()),
                point(PointKey.ofNum(3), 1, 0, Map.of())), null, UpdateMode.Upsert);
        List<LocalCollection.Hit> hits = c.search("dense", new float[] {0, 0}, PayloadFilter.ALL, Set.of(), null, 0, 10);
        assertThat(hits).extracting(h -> h.point.id)
                .containsExactly(PointKey.ofNum(1), PointKey.ofNum(3), PointKey.ofNum(2));
        assertThat(hits).extracting(h -> h.score).containsExactly(0f, 1f, 5f);
        assertThat(c.search("dense", new float[] {0, 0}, PayloadFilter.ALL, Set.of(), 5f, 1, 10))
                .extracting(h -> h.point.id).containsExactly(PointKey.ofNum(3));
    }

    @Test
    void wrongDimensionsFailBeforeAnythingIsApplied() {
        LocalCollection c = collection(Distance.Dot);
        LocalCollection.PointInput good = point(PointKey.ofNum(1), 1, 1, Map.of());
        LocalCollection.PointInput bad = new LocalCollection.PointInput(PointKey.ofNum(2),
                Map.of("dense", new float[] {1, 2, 3}), false, Map.of());
        assertThatThrownBy(() -> c.upsert(List.of(good, bad), null, UpdateMode.Upsert))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("Wrong input: Vector dimension error: expected dim: 2, got 3 for vector 'dense'");
                });
        assertThat(c.count(PayloadFilter.ALL)).isZero();
    }

    @Test
    void unknownVectorNamesFailWhileApplying() {
        LocalCollection c = collection(Distance.Dot);
        LocalCollection.PointInput unknown = new LocalCollection.PointInput(PointKey.ofNum(1),
                Map.of("other", new float[] {1, 2}), false, Map.of());
        assertThatThrownBy(() -> c.upsert(List.of(unknown), null, UpdateMode.Upsert))
                .isInstanceOfSatisfying(LocalCollection.ApplyFailure.class, e -> assertThat(
                        e.status.getStatus().getDescription()).isEqualTo("Wrong input: Not existing vector name error: other"));
    }

    @Test
    void payloadUpdatesMergeAndReportTheFirstMissingPoint() {
        LocalCollection c = collection(Distance.Dot);
        c.upsert(List.of(point(PointKey.ofNum(1), 1, 1, Map.of("a", value(1), "b", value(2)))), null, UpdateMode.Upsert);
        c.updatePayload(List.of(PointKey.ofNum(1)), null,
                old -> PayloadValues.merge(old, Map.of("b", nullValue(), "c", value(3))));
        assertThat(c.scroll(PayloadFilter.ALL, null, 1).get(0).payload)
                .containsOnlyKeys("a", "c").containsEntry("c", value(3));

        assertThatThrownBy(() -> c.updatePayload(List.of(PointKey.ofNum(1), PointKey.ofNum(9)), null, old -> Map.of()))
                .isInstanceOfSatisfying(LocalCollection.ApplyFailure.class, e -> assertThat(
                        e.status.getStatus().getDescription()).isEqualTo("Not found: No point with id 9 found"));
        assertThat(c.scroll(PayloadFilter.ALL, null, 1).get(0).payload)
                .as("existing points of the failing chunk are still changed, as in Qdrant").isEmpty();
    }

    @Test
    void updateModesAndUpdateFilterGuardExistingPoints() {
        LocalCollection c = collection(Distance.Dot);
        c.upsert(List.of(point(PointKey.ofNum(1), 1, 1, Map.of("v", value("old")))), null, UpdateMode.Upsert);
        c.upsert(List.of(point(PointKey.ofNum(1), 1, 1, Map.of("v", value("insert-only"))),
                point(PointKey.ofNum(2), 1, 1, Map.of("v", value("new")))), null, UpdateMode.InsertOnly);
        c.upsert(List.of(point(PointKey.ofNum(3), 1, 1, Map.of())), null, UpdateMode.UpdateOnly);
        PayloadFilter onlyOld = PayloadFilter.of(true, Filter.newBuilder().addMust(matchKeyword("v", "old")).build());
        c.upsert(List.of(point(PointKey.ofNum(1), 1, 1, Map.of("v", value("guarded"))),
                point(PointKey.ofNum(2), 1, 1, Map.of("v", value("skipped")))), onlyOld, UpdateMode.Upsert);

        List<LocalCollection.StoredPoint> points = c.scroll(PayloadFilter.ALL, null, 10);
        assertThat(points).extracting(p -> p.id).containsExactly(PointKey.ofNum(1), PointKey.ofNum(2));
        assertThat(points.get(0).payload.get("v")).isEqualTo(value("guarded"));
        assertThat(points.get(1).payload.get("v")).isEqualTo(value("new"));
    }
}
