"""Streamlit explorer."""
