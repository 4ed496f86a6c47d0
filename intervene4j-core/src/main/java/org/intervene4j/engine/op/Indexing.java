package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class Indexing {
    private Indexing() {}

    public static Tensor embedding(Tensor weight, int[] ids, int... leading) {
        throw new UnsupportedOperationException("Indexing.embedding");
    }

    public static Tensor indexSelect(Tensor x, int dim, int[] index) {
        throw new UnsupportedOperationException("Indexing.indexSelect");
    }

    public static Tensor indexCopy(Tensor x, int dim, int[] index, Tensor src) {
        throw new UnsupportedOperationException("Indexing.indexCopy");
    }

    public static Tensor indexAdd(Tensor x, int dim, int[] index, Tensor src) {
        throw new UnsupportedOperationException("Indexing.indexAdd");
    }

    public static Tensor concat(int dim, Tensor... parts) {
        throw new UnsupportedOperationException("Indexing.concat");
    }

    public static Tensor stack(int dim, Tensor... parts) {
        throw new UnsupportedOperationException("Indexing.stack");
    }
}
