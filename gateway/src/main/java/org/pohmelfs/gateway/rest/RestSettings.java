package org.pohmelfs.gateway.rest;

/** What the REST front end takes from configuration. */
public record RestSettings(int listPageMax) {
}
