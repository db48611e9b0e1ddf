package dev.fl4j.deploy.client;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The server's one answer to a client-streamed upload (a result push, a SecAgg+ submission): completes with the
 * answer, or exceptionally with the call's error or when the server closes the call without answering.
 */
final class UploadAnswer<T> extends CompletableFuture<T> implements StreamObserver<T> {

    private final String upload;

    /** {@code upload} names the call in the error of a call closed without an answer. */
    UploadAnswer(String upload) {
        this.upload = upload;
    }

    @Override
    public void onNext(T answer) {
        complete(answer);
    }

    @Override
    public void onError(Throwable t) {
        completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        completeExceptionally(new IllegalStateException("server closed the " + upload + " without an answer"));
    }
}
