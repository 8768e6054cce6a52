/** The example services {@code trellis up} runs: small HTTP apps that answer, fail, slow down and call each other through their proxies as a topology says. */
package dev.trellis.cli.shop;
