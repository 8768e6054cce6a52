/** The mutating admission webhook: AdmissionReview in, JSON patch out, over HTTPS with a certificate whose CA is kept in the webhook configuration. */
package dev.trellis.eks.webhook;
