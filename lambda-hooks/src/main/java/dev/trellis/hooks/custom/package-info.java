/** CloudFormation custom resources the CDK constructs need at deploy time: requests, responses to the pre-signed URL, and the mesh CA resource. */
package dev.trellis.hooks.custom;
