/**
 * What the fl4j server and its clients share: payloads cut into chunks and put back together under
 * an explicit size limit ({@link dev.fl4j.deploy.Chunks}, {@link dev.fl4j.deploy.ChunkAssembler}),
 * defensive decoding of received task arguments and results ({@link dev.fl4j.deploy.Payloads}), the
 * typed reason a message is refused ({@link dev.fl4j.deploy.RejectedMessageException}) and the
 * server-side stand-in for data only a client holds ({@link dev.fl4j.deploy.RemoteClientData}).
 */
package dev.fl4j.deploy;
