/** The inbound listener: peers call the local application through it; requests go to 127.0.0.1 on the application's port. */
package dev.trellis.proxy.inbound;
