package dev.fl4j.deploy.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The server's one answer to a client-streamed upload (a result push, a SecAgg+ submission): completes with the
 * answer, or exceptionally with the call's error or when the server closes the call without answering. The
 * uploader sends each chunk once {@link #awaitReady} returns, so an upload waits in its own array rather than
 * copied whole into the transport's direct buffers.
 *
 * @param <Q> the upload's messages
 * @param <T> the answer
 */
final class UploadAnswer<Q, T> extends CompletableFuture<T> implements ClientResponseObserver<Q, T> {

    private final String upload;
    private ClientCallStreamObserver<Q> requests;

    /** {@code upload} names the call in the error of a call closed without an answer. */
    UploadAnswer(String upload) {
        this.upload = upload;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requests) {
        this.requests = requests;
        requests.setOnReadyHandler(this::wake);
    }

    /**
     * Waits until the call takes another message without queuing it in the transport (its HTTP/2 window open),
     * or the call is answered or failed (then the caller stops sending).
     */
    void awaitReady() throws InterruptedException {
        synchronized (this) {
            while (!requests.isReady() && !isDone()) {
                wait();
            }
        }
    }

    private synchronized void wake() {
        notifyAll();
    }

    @Override
    public void onNext(T answer) {
        complete(answer);
        wake();
    }

    @Override
    public void onError(Throwable t) {
        completeExceptionally(t);
        wake();
    }

    @Override
    public void onCompleted() {
        completeExceptionally(new IllegalStateException("server closed the " + upload + " without an answer"));
        wake();
    }
}
