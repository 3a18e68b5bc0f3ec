package io.xcomposer.inference.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/** Opens ONNX Runtime sessions with the server's threading settings. */
public final class OrtSessions {

    private OrtSessions() {}

    /**
     * One inter-op thread because the graphs are sequential; intra-op threads as configured. Public so that
     * tests can open the same model the same way and compare results bit for bit.
     */
    public static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        return options;
    }

    public static OrtSession open(OrtEnvironment environment, Path modelFile, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = options(intraOpThreads)) {
            return environment.createSession(modelFile.toString(), options);
        }
    }
}
