package dev.trellis.ca.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the proxy's one certificate in every handshake. A JDK key manager would withhold a client
 * certificate whose issuer is not in the server's CertificateRequest; a proxy has nothing else to
 * offer, and the server's verifier gives a better reason for a refusal than "no certificate".
 */
final class MeshKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "mesh";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    MeshKeyManager(CertifiedKey certifiedKey) {
        this.key = certifiedKey.privateKey();
        this.chain = certifiedKey.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return ALIAS;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return ALIAS;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
