package org.pohmelfs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random transition sequences against a small reference model written separately from
 * {@link ClusterMap}: same outcome (new state, unchanged, or the same refusal) at every step,
 * the epoch rises by exactly one per change, the map survives a JSON round trip, and the
 * invariants hold throughout (the constructor checks them on every map built).
 */
class ClusterMapPropertyTest {
    enum Kind { FENCE, ADD, RESYNC, PROMOTE, REMOVE, HAND }

    record Step(Kind kind, int node) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 5))
                .as(Step::new).list().ofMaxSize(60);
    }

    /** The reference: ids in map order with their states, and the authority. */
    static final class Model {
        final Map<String, MemberState> states = new LinkedHashMap<>();
        String authority;
        long epoch = 1;

        /** Applies {@code s}: null when refused with {@code refusal[0]}; true if changed. */
        Boolean apply(Step s, String[] refusal) {
            String id = "n" + s.node();
            MemberState st = states.get(id);
            long inSync = states.values().stream().filter(x -> x == MemberState.IN_SYNC).count();
            if (s.kind() == Kind.ADD) {
                if (st != null) {
                    refusal[0] = "DUPLICATE_MEMBER";
                    return null;
                }
                states.put(id, MemberState.RESYNCING);
                return bump();
            }
            if (st == null) {
                refusal[0] = "UNKNOWN_MEMBER";
                return null;
            }
            switch (s.kind()) {
                case FENCE, REMOVE -> {
                    if (s.kind() == Kind.FENCE && st == MemberState.OUT) {
                        return false;
                    }
                    if (st == MemberState.IN_SYNC && inSync == 1) {
                        refusal[0] = "LAST_IN_SYNC";
                        return null;
                    }
                    if (s.kind() == Kind.FENCE) {
                        states.put(id, MemberState.OUT);
                    } else {
                        states.remove(id);
                    }
                }
                case RESYNC -> {
                    if (st == MemberState.IN_SYNC) {
                        refusal[0] = "WRONG_STATE";
                        return null;
                    }
                    if (st == MemberState.RESYNCING) {
                        return false;
                    }
                    states.put(id, MemberState.RESYNCING);
                }
                case PROMOTE -> {
                    if (st == MemberState.OUT) {
                        refusal[0] = "WRONG_STATE";
                        return null;
                    }
                    if (st == MemberState.IN_SYNC) {
                        return false;
                    }
                    states.put(id, MemberState.IN_SYNC);
                }
                case HAND -> {
                    if (st != MemberState.IN_SYNC) {
                        refusal[0] = "WRONG_STATE";
                        return null;
                    }
                    if (id.equals(authority)) {
                        return false;
                    }
                    authority = id;
                    epoch++;
                    return true;
                }
                default -> throw new AssertionError();
            }
            return bump();
        }

        private boolean bump() {
            if (states.get(authority) != MemberState.IN_SYNC) {
                authority = states.entrySet().stream().filter(e -> e.getValue() == MemberState.IN_SYNC)
                        .findFirst().orElseThrow().getKey();
            }
            epoch++;
            return true;
        }
    }

    @Property(tries = 400)
    void transitionsAgreeWithTheReferenceModel(@ForAll("steps") List<Step> steps) {
        ClusterMap map = ClusterMap.bootstrap(List.of(new Member("n0", "127.0.0.1", 7000, MemberState.OUT)));
        Model model = new Model();
        model.states.put("n0", MemberState.IN_SYNC);
        model.authority = "n0";
        for (Step s : steps) {
            String[] refusal = new String[1];
            Boolean changed = model.apply(s, refusal);
            ClusterMap before = map;
            String actualRefusal = null;
            try {
                String id = "n" + s.node();
                map = switch (s.kind()) {
                    case FENCE -> map.fence(id);
                    case ADD -> map.add(id, "127.0.0.1", 7000 + s.node());
                    case RESYNC -> map.resync(id);
                    case PROMOTE -> map.promote(id);
                    case REMOVE -> map.remove(id);
                    case HAND -> map.handAuthorityTo(id);
                };
            } catch (MapChangeRefused e) {
                actualRefusal = e.reason().name();
            }
            assertThat(actualRefusal).as("refusal of %s", s).isEqualTo(refusal[0]);
            if (changed == null || !changed) {
                assertThat(map).as("unchanged by %s", s).isSameAs(before);
            } else {
                assertThat(map.epoch()).isEqualTo(before.epoch() + 1);
            }
            List<String> ids = new ArrayList<>();
            map.members().forEach(m -> ids.add(m.id()));
            assertThat(ids).containsExactlyElementsOf(model.states.keySet());
            map.members().forEach(m -> assertThat(m.state()).isEqualTo(model.states.get(m.id())));
            assertThat(map.authority()).isEqualTo(model.authority);
            assertThat(map.epoch()).isEqualTo(model.epoch);
            assertThat(map.authorityMember().state()).isEqualTo(MemberState.IN_SYNC);
            assertThat(map.readSet()).isNotEmpty();
            assertThat(ClusterMapJson.decode(ClusterMapJson.encode(map))).isEqualTo(map);
        }
    }
}
