package org.intervene4j.cli.model;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.ModelInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code intervene4j sites}: every named site of a checkpoint, with its activation shape. */
@Command(name = "sites", mixinStandardHelpOptions = true, description = "List every site name with its shape.")
public final class SitesCommand implements Callable<Integer> {
    @Mixin
    ModelInput model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CausalLM lm = model.load();
        ModelInfo info = lm.info();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("# %s: %d layers, d_model %d, %d heads (%d kv), head_dim %d, d_ff %d, vocab %d%n", info.family(),
                info.layers(), info.dModel(), info.heads(), info.kvHeads(), info.headDim(), info.dFf(), info.vocab());
        for (CausalLM.SiteShape s : lm.sites()) {
            out.printf("%-40s %s%n", s.site().name(), s.describe());
            if (s.site().component().hasHeads) {
                int heads = s.site().component() == org.intervene4j.site.Component.QUERY_OUTPUT
                        || s.site().component() == org.intervene4j.site.Component.ATTENTION_VALUE_OUTPUT
                        ? info.heads() : info.kvHeads();
                String head = org.intervene4j.site.Site.heads(s.site().layer(), s.site().component()).name();
                out.printf("%-40s [batch, %d, seq, %d]%n", head, heads, info.headDim());
            }
        }
        out.flush();
        return 0;
    }
}
