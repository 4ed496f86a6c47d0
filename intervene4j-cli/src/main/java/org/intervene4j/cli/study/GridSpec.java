package org.intervene4j.cli.study;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.intervene4j.causal.study.StudySettings;
import org.intervene4j.cli.UserError;

/**
 * The {@code --grid LAYERS:POSITIONS} option: which (layer, position) cells a study searches.
 * LAYERS is {@code all}, a range {@code 2-5}, a list {@code 0,4,8} or {@code every:K} (every
 * K-th layer, for deep models); POSITIONS is a count {@code K} (the last K prompt tokens,
 * {@code -K..-1}), or a list of positions ({@code -3,-1,5}; negative counts from the end).
 *
 * @param layers    the layers, or null for every layer of the model
 * @param every     keep every {@code every}-th layer of the model (1 = all); used when layers is null
 * @param positions the positions
 */
public record GridSpec(List<Integer> layers, int every, List<Integer> positions) {
    public static final String DEFAULT = "all:6";

    public static GridSpec parse(String text) {
        int colon = text.indexOf(':');
        String layerPart = colon < 0 ? text : text.substring(0, colon);
        String positionPart = colon < 0 ? "6" : text.substring(colon + 1);
        if (layerPart.startsWith("every") && colon >= 0) {
            // every:K:POSITIONS
            String rest = text.substring(colon + 1);
            int second = rest.indexOf(':');
            String k = second < 0 ? rest : rest.substring(0, second);
            positionPart = second < 0 ? "6" : rest.substring(second + 1);
            int every = positiveInt(k, "--grid every:K");
            return new GridSpec(null, every, positions(positionPart));
        }
        return new GridSpec(layers(layerPart), 1, positions(positionPart));
    }

    /** The layers for a model with {@code modelLayers} layers. */
    public List<Integer> layersFor(int modelLayers) {
        List<Integer> out = new ArrayList<>();
        if (layers == null) {
            for (int l = 0; l < modelLayers; l += every) out.add(l);
            return out;
        }
        for (int l : layers) {
            if (l >= modelLayers) {
                throw new UserError("--grid: layer " + l + " is out of range (the model has " + modelLayers + " layers, 0.." + (modelLayers - 1) + ")");
            }
        }
        return layers;
    }

    private static List<Integer> layers(String part) {
        if (part.equals("all")) return null;
        Set<Integer> out = new LinkedHashSet<>();
        for (String item : part.split(",")) {
            String s = item.trim();
            int dash = s.indexOf('-', 1);
            if (dash > 0) {
                int from = nonNegative(s.substring(0, dash), "--grid layer range");
                int to = nonNegative(s.substring(dash + 1), "--grid layer range");
                if (to < from) throw new UserError("--grid: layer range " + s + " is empty");
                for (int l = from; l <= to; l++) out.add(l);
            } else {
                out.add(nonNegative(s, "--grid layer"));
            }
        }
        return List.copyOf(out);
    }

    private static List<Integer> positions(String part) {
        if (!part.contains(",") && !part.startsWith("-")) {
            return StudySettings.lastPositions(positiveInt(part, "--grid positions (the last K tokens)"));
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (String item : part.split(",")) out.add(integer(item.trim(), "--grid position"));
        return List.copyOf(out);
    }

    private static int positiveInt(String s, String what) {
        int v = integer(s, what);
        if (v < 1) throw new UserError(what + ": must be >= 1, got " + v);
        return v;
    }

    private static int nonNegative(String s, String what) {
        int v = integer(s, what);
        if (v < 0) throw new UserError(what + ": must be >= 0, got " + v);
        return v;
    }

    private static int integer(String s, String what) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new UserError(what + ": '" + s + "' is not an integer (expected LAYERS:POSITIONS, e.g. all:6, 0-3:6, every:4:13 or 2,3:-2,-1)");
        }
    }
}
