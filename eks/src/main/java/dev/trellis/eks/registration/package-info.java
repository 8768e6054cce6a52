/** Pod registration: Ready pods of the mesh into Cloud Map, deregistered the moment they stop being Ready, with a full resync that repairs drift. */
package dev.trellis.eks.registration;
