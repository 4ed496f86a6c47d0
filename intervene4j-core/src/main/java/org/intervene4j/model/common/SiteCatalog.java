package org.intervene4j.model.common;

import java.util.ArrayList;
import java.util.List;
import org.intervene4j.model.CausalLM.SiteShape;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;

/** The site list of a standard decoder, in forward order, with per-token widths. */
public final class SiteCatalog {
    private SiteCatalog() {}

    /** Every site of a decoder described by {@code info}. */
    public static List<SiteShape> decoder(ModelInfo info) {
        int d = info.dModel();
        int q = info.heads() * info.headDim();
        int kv = info.kvHeads() * info.headDim();
        List<SiteShape> out = new ArrayList<>();
        out.add(new SiteShape(Site.of(Component.EMBEDDINGS), new int[] {d}));
        for (int l = 0; l < info.layers(); l++) {
            out.add(new SiteShape(Site.of(l, Component.BLOCK_INPUT), new int[] {d}));
            out.add(new SiteShape(Site.of(l, Component.ATTENTION_INPUT), new int[] {d}));
            out.add(new SiteShape(Site.of(l, Component.QUERY_OUTPUT), new int[] {q}));
            out.add(new SiteShape(Site.of(l, Component.KEY_OUTPUT), new int[] {kv}));
            out.add(new SiteShape(Site.of(l, Component.VALUE_OUTPUT), new int[] {kv}));
            out.add(new SiteShape(Site.of(l, Component.ATTENTION_WEIGHTS), new int[] {info.heads()}));
            out.add(new SiteShape(Site.of(l, Component.ATTENTION_VALUE_OUTPUT), new int[] {q}));
            out.add(new SiteShape(Site.of(l, Component.ATTENTION_OUTPUT), new int[] {d}));
            out.add(new SiteShape(Site.of(l, Component.MLP_INPUT), new int[] {d}));
            out.add(new SiteShape(Site.of(l, Component.MLP_ACTIVATION), new int[] {info.dFf()}));
            out.add(new SiteShape(Site.of(l, Component.MLP_OUTPUT), new int[] {d}));
            out.add(new SiteShape(Site.of(l, Component.BLOCK_OUTPUT), new int[] {d}));
        }
        out.add(new SiteShape(Site.of(Component.FINAL_NORM), new int[] {d}));
        out.add(new SiteShape(Site.of(Component.LOGITS), new int[] {info.vocab()}));
        return out;
    }
}
