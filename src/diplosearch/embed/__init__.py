"""Text in, vectors (or reranking scores) out.

`base` holds the one-method `Embedder` interface, model names, normalisation and batching;
`models` picks a backend and loads a model (sentence-transformers on torch); `onnx` runs
the bundled model through onnxruntime without torch; `export` makes those ONNX files once
(the bundled model's written from its weights by `bert_graph`, with `onnx_proto`, no torch);
`hashing` is the deterministic test embedder; `rerank` scores with a cross-encoder;
`adapter` moves an English question's vector by a matrix fitted on judged questions.

May import: `diplosearch.errors`; heavy libraries only inside the functions that use them.
Never imports `ingest`, `store`, `retrieval` or anything above them.
"""
