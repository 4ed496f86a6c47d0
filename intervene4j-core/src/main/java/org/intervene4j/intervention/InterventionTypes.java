package org.intervene4j.intervention;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * The intervention types that can be saved, loaded and named in a JSON spec: type name to
 * factory. Every built-in type is registered here; a new type registers with one line,
 *
 * <pre>{@code InterventionTypes.register("rotated_space", RotatedSpace::fromConfig);}</pre>
 *
 * (built-in types add that line to the static block below; user types call it once at start-up).
 * The name must equal the type's {@link Intervention#type()}.
 */
public final class InterventionTypes {
    /** Rebuilds an intervention from its {@link Intervention#config()} and {@link Intervention#parameters()}. */
    @FunctionalInterface
    public interface Factory {
        Intervention fromConfig(Map<String, Object> config, Map<String, Tensor> parameters);
    }

    private static final Map<String, Factory> TYPES = Collections.synchronizedMap(new LinkedHashMap<>());

    static {
        register("vanilla", Vanilla::fromConfig);
        register("addition", Addition::fromConfig);
        register("subtraction", (config, parameters) -> Addition.fromConfig(withSign(config), parameters));
        register("zero", Zero::fromConfig);
        register("collect", Collect::fromConfig);
        register(MeanAblation.TYPE, MeanAblation::fromConfig);
        register(ResampleAblation.TYPE, ResampleAblation::fromConfig);
        register(Noise.TYPE, Noise::fromConfig);
        register(Skip.TYPE, Skip::fromConfig);
        register(SaeIntervention.TYPE, SaeIntervention::fromConfig);
        register(LoReFT.TYPE, LoReFT::fromConfig);
        register(NoReFT.TYPE, NoReFT::fromConfig);
        register(ConsReFT.TYPE, ConsReFT::fromConfig);
        register(LobiReFT.TYPE, LobiReFT::fromConfig);
        register(DiReFT.TYPE, DiReFT::fromConfig);
        register(NodiReFT.TYPE, NodiReFT::fromConfig);
        register(RotatedSpace.TYPE, RotatedSpace::fromConfig);
        register(LowRankRotatedSpace.TYPE, LowRankRotatedSpace::fromConfig);
        register(BoundlessRotatedSpace.TYPE, BoundlessRotatedSpace::fromConfig);
        register(SigmoidMask.TYPE, SigmoidMask::fromConfig);
        register(PcaRotatedSpace.TYPE, PcaRotatedSpace::fromConfig);
    }

    private InterventionTypes() {}

    /** Registers (or replaces) the factory for {@code type}. */
    public static void register(String type, Factory factory) {
        if (type == null || type.isBlank()) throw new IllegalArgumentException("intervention types: empty type name");
        if (factory == null) throw new IllegalArgumentException("intervention types: no factory for '" + type + "'");
        TYPES.put(type, factory);
    }

    /** True when {@code type} is registered. */
    public static boolean known(String type) {
        return TYPES.containsKey(type);
    }

    /** The registered type names, in registration order. */
    public static List<String> names() {
        synchronized (TYPES) {
            return new ArrayList<>(TYPES.keySet());
        }
    }

    /** A new intervention of {@code type}; errors name the type and list the known ones. */
    public static Intervention create(String type, Map<String, Object> config, Map<String, Tensor> parameters) {
        Factory f = TYPES.get(type);
        if (f == null) throw new IllegalArgumentException("unknown intervention type '" + type + "' (known: " + String.join(", ", names()) + ")");
        Intervention made = f.fromConfig(config == null ? Map.of() : config, parameters == null ? Map.of() : parameters);
        if (!made.type().equals(type)) {
            throw new IllegalStateException("intervention types: the factory for '" + type + "' made a '" + made.type() + "'");
        }
        return made;
    }

    private static Map<String, Object> withSign(Map<String, Object> config) {
        Map<String, Object> c = new LinkedHashMap<>(config);
        c.put("sign", -1);
        return c;
    }
}
