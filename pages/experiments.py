"""PLACEHOLDER: this page is being built (see the open issue); replace this file entirely."""

import streamlit as st

st.title("experiments")
st.info("This page is under construction.")
